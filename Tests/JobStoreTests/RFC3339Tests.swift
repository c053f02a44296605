import Foundation
import Testing

@testable import JobStore

/// The requeue event's `not before` time, written without Foundation's ICU-backed format styles.
@Suite struct RFC3339Tests {
    @Test func matchesFoundationsISO8601FormatStyle() {
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 951_782_400),
            Date(timeIntervalSince1970: 1_709_164_799.999), Date(timeIntervalSince1970: 4_102_444_800), Date(timeIntervalSince1970: -2_208_988_801),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: -4e9...8e9, using: &generator))) }
        for date in dates {
            #expect(JobQueue.rfc3339(date) == date.formatted(.iso8601), "\(date.timeIntervalSince1970)")
        }
        #expect(JobQueue.rfc3339(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }
}
