/// Reads the durations and sizes of the configuration.
enum DurationParser {
    /// `90`, `1.5`, `"10"` (seconds), or a number with a unit: `500ms`, `90s`, `15m`, `2h`, `7d`; `nil` if it does not parse.
    static func duration(_ text: String) -> Duration? {
        let (number, unit) = splitUnit(text)
        guard let value = Double(number), value.isFinite, value >= 0, !number.isEmpty, number.first != "+" else { return nil }
        let seconds: Double
        switch unit {
        case "", "s", "sec", "secs", "second", "seconds": seconds = value
        case "ms": seconds = value / 1000
        case "m", "min", "mins", "minute", "minutes": seconds = value * 60
        case "h", "hour", "hours": seconds = value * 3600
        case "d", "day", "days": seconds = value * 86_400
        default: return nil
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `65536`, `"65536"`, or a number with a unit: `64k`/`64KiB`/`64KB` (×1024), `1M`/`1MiB`/`1MB` (×1024²), `1G`…; `nil` if it does not parse.
    static func bytes(_ text: String) -> Int? {
        let (number, unit) = splitUnit(text)
        guard let value = Int(number), value >= 0 else { return nil }
        let factor: Int
        switch unit.lowercased() {
        case "", "b": factor = 1
        case "k", "kb", "kib": factor = 1024
        case "m", "mb", "mib": factor = 1024 * 1024
        case "g", "gb", "gib": factor = 1024 * 1024 * 1024
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : product
    }

    /// A duration for people: `90s`, `15m`, `2h`, `1.5s`, `90d`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(Double(milliseconds) / 1000)s" }
        let seconds = milliseconds / 1000
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60)] where seconds >= size && seconds % size == 0 {
            return "\(seconds / size)\(unit)"
        }
        return "\(seconds)s"
    }

    private static func splitUnit(_ text: String) -> (String, String) {
        let trimmed = text.trimmingSpaces()
        guard let unitStart = trimmed.firstIndex(where: { $0.isLetter }) else { return (trimmed, "") }
        return (String(trimmed[..<unitStart]).trimmingSpaces(), String(trimmed[unitStart...]))
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
