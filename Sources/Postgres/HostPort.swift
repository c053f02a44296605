/// A `host:port` pair as written in `postgresql.listen` / `connect_address` (`host` may be a comma-separated list or `*`).
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (the port is after the last `:`, so `[::1]:5432` and `::1:5432` both work).
    ///
    /// Throws ``PostgresError`` with code `parse` when there is no port or it is not 1...65535.
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw PostgresError(.parse, "'\(text)' has no port: write it as host:port, e.g. 127.0.0.1:5432")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw PostgresError(.parse, "'\(text)' has no valid port after the last ':': write it as host:port with a port in 1-65535")
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        guard !host.isEmpty else {
            throw PostgresError(.parse, "'\(text)' has no host: write it as host:port, e.g. 127.0.0.1:5432")
        }
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
