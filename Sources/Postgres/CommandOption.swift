/// One option for a PostgreSQL binary from the configuration (`bootstrap.initdb`, `postgresql.basebackup`):
/// a bare flag or a key with a value, kept in the order the user wrote them.
public enum CommandOption: Sendable, Equatable {
    /// `- flag` in YAML: `--flag` (or `-f` for a one-letter name).
    case flag(String)
    /// `- key: value` or `key: value` in YAML: `--key=value` (or `-k value` for a one-letter key).
    case value(String, String)

    /// The option's name without dashes.
    public var name: String {
        switch self {
        case .flag(let name): name
        case .value(let name, _): name
        }
    }

    /// The argv elements of this option; a value is always one element of its own or joined with `=`, never split.
    public var arguments: [String] {
        switch self {
        case .flag(let name): name.count == 1 ? ["-\(name)"] : ["--\(name)"]
        case .value(let name, let value): name.count == 1 ? ["-\(name)", value] : ["--\(name)=\(value)"]
        }
    }
}
