/// A libpq key=value connection string (SPEC §5.1): `dbname user host port` then ssl keys; never a password.
public struct Connstring: Sendable, Equatable, CustomStringConvertible {
    /// One `key=value` pair.
    public struct Pair: Sendable, Equatable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public var pairs: [Pair]

    public init(pairs: [Pair]) {
        self.pairs = pairs.filter { $0.key.lowercased() != "password" && $0.key.lowercased() != "sslpassword" }
    }

    /// The connstring given to hooks when there is no source to clone from (§3 row 3).
    public static let empty = Connstring(pairs: [])

    /// The connstring for cloning from `source` as `role` (the replication role): dbname, user, host, port, ssl keys.
    public init(source: HostPort, role: RoleCredentials, dbname: String = "postgres") {
        var pairs = [Pair("dbname", dbname), Pair("user", role.username), Pair("host", source.host), Pair("port", String(source.port))]
        for key in RoleCredentials.sslKeys {
            if let value = role.ssl[key] { pairs.append(Pair(key, value)) }
        }
        self.init(pairs: pairs)
    }

    /// This connstring followed by more pairs (e.g. `application_name` and `passfile` for `primary_conninfo`).
    public func appending(_ more: [Pair]) -> Connstring {
        Connstring(pairs: pairs + more)
    }

    /// `key=value` separated by spaces; empty values are left out, and `'`, `\` and space are escaped with `\`.
    public var description: String {
        pairs.filter { !$0.value.isEmpty }.map { "\($0.key)=\(Self.escape($0.value))" }.joined(separator: " ")
    }

    /// Escapes `'`, `\` and space with a backslash, as libpq reads an unquoted value (and as Patroni writes it).
    public static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            if character == "'" || character == "\\" || character == " " { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
