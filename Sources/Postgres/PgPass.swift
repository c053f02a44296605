/// A pgpass file (SPEC §5.1): lines `host:port:database:user:password`, written atomically with mode 0600.
public struct PgPass: Sendable, Equatable {
    /// One line of the file.
    public struct Entry: Sendable, Equatable {
        public var host: String
        public var port: String
        public var database: String
        public var user: String
        public var password: String

        /// An entry for `user` on `host:port`, any database.
        public init(host: String, port: Int, user: String, password: String) {
            self.init(host: host, port: String(port), database: "*", user: user, password: password)
        }

        public init(host: String, port: String, database: String, user: String, password: String) {
            self.host = host
            self.port = port
            self.database = database
            self.user = user
            self.password = password
        }

        /// The line, each field with `\` and `:` escaped (a literal `*` database stays a wildcard).
        public var line: String {
            let database = self.database == "*" ? "*" : PgPass.escape(self.database)
            return [PgPass.escape(host), PgPass.escape(port), database, PgPass.escape(user), PgPass.escape(password)].joined(separator: ":")
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// The file's text, one line per entry.
    public var contents: String { entries.map { $0.line + "\n" }.joined() }

    /// Writes the file atomically (temporary file in the same directory, then rename), mode 0600.
    ///
    /// Throws ``PostgresError`` with code `io` when it cannot be written.
    public func write(to path: String) throws {
        try AtomicFile.write(contents, to: path)
    }

    /// Escapes `\` and `:` with a backslash, as libpq reads a pgpass field.
    public static func escape(_ field: String) -> String {
        var out = ""
        for character in field {
            if character == "\\" || character == ":" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
