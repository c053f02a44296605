/// A YAML timestamp as Patroni passes it to a hook: PyYAML turns `2024-05-01T12:00:00Z` into a Python
/// `datetime` and Patroni writes it with `str()`, so the hook sees `2024-05-01 12:00:00+00:00` (SPEC §6: scalars are
/// rendered the way Patroni renders them).
///
/// The rules are PyYAML's timestamp constructor and Python's `date.__str__` / `datetime.__str__`: a date alone is
/// `YYYY-MM-DD`; a date and time is `YYYY-MM-DD HH:MM:SS`, then `.ffffff` when the fraction (its first six digits,
/// padded) is not zero, then the offset as `+HH:MM` / `-HH:MM` when a zone was written (`Z` is `+00:00`).
enum PythonTimestamp {
    /// Python's text for the timestamp `text`, or `nil` when it is not one Python could build (then PyYAML, and so
    /// Patroni, would refuse the file, and sidecar passes the text as written).
    static func render(_ text: String) -> String? {
        var rest = Array(text.utf8)[...]
        func number(_ lengths: ClosedRange<Int>) -> Int? {
            let run = rest.prefix(lengths.upperBound).prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard lengths.contains(run.count) else { return nil }
            rest = rest[run.endIndex...]
            return run.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        func skip(_ character: Character) -> Bool {
            guard let byte = character.asciiValue, rest.first == byte else { return false }
            rest = rest.dropFirst()
            return true
        }
        func blanks() -> Int {
            let run = rest.prefix { $0 == 0x20 || $0 == 0x09 }
            rest = rest[run.endIndex...]
            return run.count
        }
        guard let year = number(4...4), skip("-"), let month = number(1...2), skip("-"), let day = number(1...2) else { return nil }
        guard (1...12).contains(month), year >= 1, (1...daysIn(month, of: year)).contains(day) else { return nil }
        let date = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        if rest.isEmpty { return date }
        guard skip("T") || skip("t") || blanks() > 0 else { return nil }
        guard let hour = number(1...2), skip(":"), let minute = number(2...2), skip(":"), let second = number(2...2) else { return nil }
        guard hour < 24, minute < 60, second < 60 else { return nil }
        var microseconds = 0
        if skip(".") {
            let digits = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
            rest = rest[digits.endIndex...]
            let six = Array(digits.prefix(6)) + Array(repeating: UInt8(0x30), count: max(0, 6 - digits.count))
            microseconds = six.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        var zone = ""
        _ = blanks()
        if skip("Z") {
            zone = "+00:00"
        } else if let sign = rest.first, sign == 0x2B || sign == 0x2D {
            rest = rest.dropFirst()
            guard let zoneHour = number(1...2) else { return nil }
            var zoneMinute = 0
            if skip(":") {
                guard let minutes = number(2...2) else { return nil }
                zoneMinute = minutes
            }
            // Python's timezone(timedelta(...)): under 24 hours either way; minutes past 59 carry into the hour.
            let offset = (zoneHour * 60 + zoneMinute) * (sign == 0x2D ? -1 : 1)
            guard abs(offset) < 24 * 60 else { return nil }
            zone = (offset < 0 ? "-" : "+") + pad(abs(offset) / 60, 2) + ":" + pad(abs(offset) % 60, 2)
        }
        guard rest.isEmpty else { return nil }
        let time = pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2) + (microseconds == 0 ? "" : "." + pad(microseconds, 6))
        return date + " " + time + zone
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
