/// One `name = value` setting for `postgresql.conf`, `recovery.conf` or a sidecar-owned included file.
///
/// The value is the text PostgreSQL should see; it is always written quoted (see ``ConfigParameter/line``).
public struct ConfigParameter: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The line as PostgreSQL's configuration parser reads it: `name = 'value'` with `\` and `'` escaped.
    ///
    /// Quoting every value is safe: numbers, booleans, units and enums are all accepted as quoted strings.
    public var line: String { "\(name) = \(Self.quote(value))" }

    /// Quotes a value for PostgreSQL's configuration files (`'` doubled, `\` doubled because the parser reads escapes).
    public static func quote(_ value: String) -> String {
        var out = "'"
        for character in value {
            switch character {
            case "'": out += "''"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "'"
    }

    /// Whether `value` is one of PostgreSQL's spellings of true (`on`, `true`, `yes`, `1`, or a prefix of `true`/`yes`).
    public var isTrue: Bool {
        let v = value.lowercased()
        if v == "on" || v == "1" { return true }
        return !v.isEmpty && ("true".hasPrefix(v) || "yes".hasPrefix(v))
    }
}
