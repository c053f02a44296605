import Yams

/// What a YAML scalar means, resolved exactly as PyYAML (which Patroni parses `patroni.yml` with) resolves it:
/// an explicit tag wins, a quoted or block scalar is a string, and a plain scalar is resolved by YAML 1.1's
/// implicit rules.
///
/// Sidecar composes with Yams' `Resolver.basic` and resolves plain scalars here, without regular expressions:
/// Yams' default resolver compiles its rules as `NSRegularExpression`s, which maps about 4 MB of ICU into the
/// daemon for good the first time a configuration is read.
///
/// Where Yams' default rules and PyYAML disagree, this follows PyYAML: `0o17` is a string (PyYAML's octal
/// is `017`), and a float needs a dot and a signed exponent (`1e3` and `1.5e3` are strings, `1.5e+3` is a
/// float).
///
/// Left where Yams itself differs from PyYAML (docs/configuration.md): a plain scalar that is also used as a mapping
/// key through an anchor reads as a string everywhere (Yams' duplicate-key check resolves the shared tag in place);
/// a plain and a quoted key with the same text (`1` and `"1"`) are duplicates; a merge of something that is not a
/// map, and `<<` or `=` as a value, which PyYAML refuses, are taken as they are.
enum ScalarKind: Sendable, Equatable {
    case string, null, bool, int, float, merge, timestamp, value

    /// The kind of a composed scalar: its explicit tag (`!!str 5` is a string, `!!int "5"` an int); a quoted
    /// or block scalar without one is a string (the parser tags it `str`); a plain one is resolved by
    /// ``init(plain:)``. As in PyYAML, the non-specific tag `!` resolves the text as if it were plain.
    ///
    /// Reads the scalar's stored tag, not `Node.tag`: Yams resolves a tag lazily and in place, so after
    /// `Node.tag` (or hashing or comparing the node) an implicit tag reads `str` like an explicit `!!str`.
    /// Yams' duplicate-key check hashes every mapping key, so a plain key's stored tag already reads `str`.
    init(_ scalar: Node.Scalar) {
        switch Tag.Name(rawValue: scalar.tag.description) {
        case .implicit, .nonSpecific: self.init(plain: scalar.string)
        case .null: self = .null
        case .bool: self = .bool
        case .int: self = .int
        case .float: self = .float
        case .merge: self = .merge
        case .timestamp: self = .timestamp
        case .value: self = .value
        default: self = .string
        }
    }

    /// YAML 1.1's implicit resolution of plain (unquoted, untagged) text, as PyYAML's resolver does it:
    /// booleans `yes`/`No`/`ON`/`off`/`true`/`False`...; nulls `~`, `null`, `Null`, `NULL` and the empty
    /// scalar; ints in decimal (`-0`, `+5`, `1_000`), binary `0b101`, octal `017`, hex `0x1F` and
    /// sexagesimal `1:30`; floats `1.5`, `1.`, `.5`, `1.5e+3`, `1:30.5`, `.inf`, `-.Inf`, `.nan`; the
    /// merge key `<<`; timestamps `2001-12-14` and `2001-12-14 21:59:43.10 -5`; the value key `=`.
    init(plain text: String) {
        let bytes = Array(text.utf8)[...]
        if Self.isBool(text) {
            self = .bool
        } else if Self.isFloat(bytes) {
            self = .float
        } else if Self.isInt(bytes) {
            self = .int
        } else if text == "<<" {
            self = .merge
        } else if Self.isNull(text) {
            self = .null
        } else if Self.isTimestamp(bytes) {
            self = .timestamp
        } else if text == "=" {
            self = .value
        } else {
            self = .string
        }
    }

    private static let boolWords: Set<String> = [
        "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
    ]

    private static func isBool(_ text: String) -> Bool { boolWords.contains(text) }

    private static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
    private static func isInt(_ text: ArraySlice<UInt8>) -> Bool {
        var rest = dropSign(text)
        guard let first = rest.first else { return false }
        if first == ascii("0") {
            rest = rest.dropFirst()
            if rest.isEmpty { return true }
            if rest.first == ascii("b") {
                return rest.count > 1 && rest.dropFirst().allSatisfy { $0 == ascii("0") || $0 == ascii("1") || $0 == underscore }
            }
            if rest.first == ascii("x") { return rest.count > 1 && rest.dropFirst().allSatisfy { isHexDigit($0) || $0 == underscore } }
            return rest.allSatisfy { (ascii("0")...ascii("7")).contains($0) || $0 == underscore }
        }
        guard (ascii("1")...ascii("9")).contains(first) else { return false }
        let head = rest.prefix { isDigit($0) || $0 == underscore }
        rest = rest[head.endIndex...]
        return rest.isEmpty || isSexagesimalTail(rest)
    }

    /// `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)?
    /// | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
    private static func isFloat(_ text: ArraySlice<UInt8>) -> Bool {
        if ["nan", "NaN", "NAN"].contains(where: { text.elementsEqual(".\($0)".utf8) }) { return true }
        let unsigned = dropSign(text)
        if ["inf", "Inf", "INF"].contains(where: { unsigned.elementsEqual(".\($0)".utf8) }) { return true }
        guard let first = unsigned.first else { return false }
        if first == dot {
            // `.5`: no sign allowed before the dot, a digit right after it.
            guard unsigned.count == text.count, let digit = unsigned.dropFirst().first, isDigit(digit) else { return false }
            let fraction = unsigned.dropFirst().prefix { isDigit($0) || $0 == underscore }
            return isExponent(unsigned[fraction.endIndex...])
        }
        guard isDigit(first) else { return false }
        let whole = unsigned.prefix { isDigit($0) || $0 == underscore }
        var rest = unsigned[whole.endIndex...]
        if rest.first == colon {
            // `1:30.5`: sexagesimal segments, then a dot and a fraction without exponent.
            guard let dotIndex = rest.firstIndex(of: dot), isSexagesimalTail(rest[..<dotIndex]) else { return false }
            return rest[(dotIndex + 1)...].allSatisfy { isDigit($0) || $0 == underscore }
        }
        guard rest.first == dot else { return false }
        rest = rest.dropFirst()
        let fraction = rest.prefix { isDigit($0) || $0 == underscore }
        return isExponent(rest[fraction.endIndex...])
    }

    /// Empty, or `[eE][-+][0-9]+` (PyYAML requires the exponent's sign).
    private static func isExponent(_ text: ArraySlice<UInt8>) -> Bool {
        guard let first = text.first else { return true }
        guard first == ascii("e") || first == ascii("E") else { return false }
        let afterE = text.dropFirst()
        guard afterE.first == ascii("-") || afterE.first == ascii("+") else { return false }
        let digits = afterE.dropFirst()
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    /// `(:[0-5]?[0-9])+`: one or more `:` each followed by one digit or two digits starting 0-5.
    private static func isSexagesimalTail(_ text: ArraySlice<UInt8>) -> Bool {
        guard text.first == colon else { return false }
        return text.dropFirst().split(separator: colon, omittingEmptySubsequences: false).allSatisfy { segment in
            switch segment.count {
            case 1: isDigit(segment[segment.startIndex])
            case 2: (ascii("0")...ascii("5")).contains(segment[segment.startIndex]) && isDigit(segment[segment.startIndex + 1])
            default: false
            }
        }
    }

    /// `YYYY-MM-DD`, or `YYYY-M-D` followed by `T`/`t` or blanks, `H:MM:SS`, an optional fraction `.123`
    /// and an optional zone (`Z`, `-5`, `+05:30`, after optional blanks).
    private static func isTimestamp(_ text: ArraySlice<UInt8>) -> Bool {
        var rest = text
        func digits(_ range: ClosedRange<Int>) -> Bool {
            let run = rest.prefix(range.upperBound).prefix(while: isDigit)
            guard range.contains(run.count) else { return false }
            rest = rest[run.endIndex...]
            return true
        }
        func skip(_ byte: UInt8) -> Bool {
            guard rest.first == byte else { return false }
            rest = rest.dropFirst()
            return true
        }
        func blanks() -> Int {
            let run = rest.prefix { $0 == ascii(" ") || $0 == ascii("\t") }
            rest = rest[run.endIndex...]
            return run.count
        }
        guard digits(4...4), skip(ascii("-")) else { return false }
        let dateStart = rest.startIndex
        guard digits(1...2), skip(ascii("-")), digits(1...2) else { return false }
        if rest.isEmpty {
            // The date-only form needs two-digit month and day.
            return rest.startIndex - dateStart == 5
        }
        guard skip(ascii("T")) || skip(ascii("t")) || blanks() > 0 else { return false }
        guard digits(1...2), skip(colon), digits(2...2), skip(colon), digits(2...2) else { return false }
        if skip(dot) { _ = digits(0...Int.max) }
        if rest.isEmpty { return true }
        _ = blanks()
        if skip(ascii("Z")) { return rest.isEmpty }
        guard skip(ascii("-")) || skip(ascii("+")), digits(1...2) else { return false }
        if skip(colon) { guard digits(2...2) else { return false } }
        return rest.isEmpty
    }

    private static func dropSign(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        text.first == ascii("-") || text.first == ascii("+") ? text.dropFirst() : text
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (ascii("0")...ascii("9")).contains(byte) }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (ascii("a")...ascii("f")).contains(byte) || (ascii("A")...ascii("F")).contains(byte)
    }

    private static func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(character.value) }

    private static let dot = ascii(".")
    private static let colon = ascii(":")
    private static let underscore = ascii("_")
}
