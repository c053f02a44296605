import Hooks

/// A JSON value with ordered object keys, so `--json` output keeps a stable, readable field order.
enum JSONValue {
    case null
    case bool(Bool)
    case number(Int64)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// The value as pretty-printed JSON text (two-space indent, UTF-8 kept, no trailing newline).
    func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return String(value)
        case .string(let value): return Self.quoted(value)
        case .array(let values):
            if values.isEmpty { return "[]" }
            return "[\n" + values.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let lines = fields.map { inner + Self.quoted($0.0) + ": " + $0.1.rendered(indent: inner) }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        }
    }

    static func quoted(_ text: String) -> String {
        JSONText.string(text)
    }
}

extension JSONValue {
    init(_ text: String?) { self = text.map(JSONValue.string) ?? .null }
    init(_ number: Int64?) { self = number.map(JSONValue.number) ?? .null }
    init(_ number: Int32?) { self = number.map { .number(Int64($0)) } ?? .null }
    init(_ number: Int) { self = .number(Int64(number)) }
}
