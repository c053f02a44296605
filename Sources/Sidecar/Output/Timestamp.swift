import Foundation

/// Times as the command line shows and reads them: RFC 3339 in UTC.
enum Timestamp {
    /// `2026-01-31T12:00:00Z`, or `2026-01-31T12:00:00.250Z` when there are milliseconds and `milliseconds` is true
    /// (JSON keeps them; tables for people drop them).
    static func format(_ date: Date, milliseconds keepMilliseconds: Bool = true) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let fraction = ((milliseconds % 1000) + 1000) % 1000
        var seconds = time_t((milliseconds - fraction) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let base = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min,
            parts.tm_sec)
        return fraction == 0 || !keepMilliseconds ? base + "Z" : base + String(format: ".%03dZ", fraction)
    }

    /// An RFC 3339 time with or without fractional seconds, or `nil`.
    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
