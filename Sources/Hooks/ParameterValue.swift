/// A value of a method section, kept as it was written in YAML, rendered the way Patroni renders it.
///
/// Patroni formats a parameter with Python's `str()`, so a hook sees `True`, `False` and `None` for YAML
/// booleans and nulls (YAML 1.1: `yes`/`no`/`on`/`off` are booleans too). Sidecar keeps numbers exactly as
/// written (`007` stays `007`), strings verbatim, and renders lists and maps as compact JSON.
public indirect enum ParameterValue: Sendable, Hashable {
    /// A string: any quoted scalar, or a plain scalar that is not a boolean, null or number.
    case string(String)
    /// A boolean and the text that spelled it (`true`, `yes`, `On`...).
    case bool(Bool, written: String)
    /// A null and the text that spelled it (`~`, `null`, or empty).
    case null(written: String)
    /// A number (integer or float), exactly as written.
    case number(String)
    /// A sequence.
    case list([ParameterValue])
    /// A mapping, in YAML order.
    case map([HookParameter])

    /// The text a hook receives after `--key=`: `True`/`False`/`None`, numbers as written, strings
    /// verbatim, lists and maps as JSON.
    public var rendered: String {
        switch self {
        case .string(let text): text
        case .bool(let value, _): value ? "True" : "False"
        case .null: "None"
        case .number(let text): text
        case .list, .map: json
        }
    }

    /// The value as compact JSON (`{"a":1,"b":[true,null]}`), keys in YAML order, non-ASCII kept as UTF-8.
    /// A number JSON cannot spell (`0x1F`, `1_000`, `.inf`) becomes a JSON string of its written text.
    public var json: String {
        switch self {
        case .string(let text): JSONText.string(text)
        case .bool(let value, _): value ? "true" : "false"
        case .null: "null"
        case .number(let text): JSONText.isNumber(text) ? text : JSONText.string(text)
        case .list(let items): "[" + items.map(\.json).joined(separator: ",") + "]"
        case .map(let entries): "{" + entries.map { JSONText.string($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
        }
    }

    /// Python's truthiness of the value, which is how Patroni reads `no_params`, `keep_data` and `no_leader`:
    /// false, null, a zero number, an empty string, list or map are false; anything else (even the string
    /// `"false"`) is true.
    public var isTruthy: Bool {
        switch self {
        case .string(let text): !text.isEmpty
        case .bool(let value, _): value
        case .null: false
        case .number(let text): !JSONText.isZero(text)
        case .list(let items): !items.isEmpty
        case .map(let entries): !entries.isEmpty
        }
    }

    /// The text of a scalar as written, `nil` for a list or map.
    public var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(_, let written), .null(let written): written
        case .list, .map: nil
        }
    }
}

/// One `key: value` of a method section or of a map value, in YAML order.
public struct HookParameter: Sendable, Hashable {
    /// The key as written.
    public var key: String
    /// Its value.
    public var value: ParameterValue

    /// A `key: value` pair.
    public init(_ key: String, _ value: ParameterValue) {
        self.key = key
        self.value = value
    }
}

/// Small JSON helpers for ``ParameterValue`` (and sidecar's own JSON output).
public enum JSONText {
    /// `text` as a JSON string literal.
    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Whether `text` is a number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            var count = 0
            while let byte = bytes.first, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                bytes = bytes.dropFirst()
                count += 1
            }
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: "0") {
            bytes = bytes.dropFirst()
        } else if digits() == 0 {
            return false
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            if digits() == 0 { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }

    /// Whether a YAML number's text means zero (`0`, `-0`, `0.0`, `0x0`, `0o0`, `0b0`, `0_0`, `0e5`).
    static func isZero(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        for prefix in ["0x", "0o", "0b"] where body.hasPrefix(prefix) {
            body = body.dropFirst(2)
            break
        }
        if let exponent = body.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            body = body[..<exponent]
        }
        let significant = body.filter { $0 != "_" && $0 != "." && $0 != ":" }
        return !significant.isEmpty && significant.allSatisfy { $0 == "0" }
    }
}
