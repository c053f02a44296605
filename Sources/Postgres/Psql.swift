import Hooks

/// SQL through `psql -X -v ON_ERROR_STOP=1` (no libpq binding): the SQL is always in a file (`-f`), never on argv,
/// because stdin is `/dev/null` and statements may hold passwords.
public struct Psql: Sendable {
    public var binaries: PostgresBinaries
    /// Socket directory or host; `nil` = the socket directory compiled into this `bin_dir`'s libpq (`PGHOST` is never inherited).
    public var host: String?
    public var port: Int
    public var user: String
    public var database: String
    /// A pgpass file for password authentication (`PGPASSFILE`), if any.
    public var passfile: String?

    public init(binaries: PostgresBinaries, host: String?, port: Int, user: String, database: String = "postgres", passfile: String? = nil) {
        self.binaries = binaries
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.passfile = passfile
    }

    /// `-X -q -v ON_ERROR_STOP=1 --no-password [-h host] -p port -U user -d database -f <file>`.
    public func arguments(file: String) -> [String] {
        var arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-password"]
        if let host { arguments += ["-h", host] }
        arguments += ["-p", String(port), "-U", user, "-d", database, "-f", file]
        return arguments
    }

    /// Runs `sql` from a temporary 0600 file (removed afterwards) in one psql session that stops at the first error.
    ///
    /// Throws ``PostgresError``: `command` when psql fails (its stderr in the message), `io` when the file cannot be written.
    public func execute(_ sql: String, timeout: Duration = .seconds(60), runner: HookRunner = HookRunner()) async throws {
        var environment = ["PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "sidecar"]
        if let passfile { environment["PGPASSFILE"] = passfile }
        try await SecretFile.with(sql) { file in
            let invocation = binaries.invocation(.psql, arguments(file: file), environment: environment, timeout: timeout)
            let result = await runner.run(invocation)
            guard result.outcome.isSuccess else { throw PostgresError.failed("psql", result) }
        }
    }

    /// Sets the superuser's password and creates or updates the replication role with LOGIN, REPLICATION and its
    /// password (SPEC §4.5). Run as the superuser while the temporary local trust is in place.
    ///
    /// Throws ``PostgresError`` as ``execute(_:timeout:runner:)`` does.
    public func setUpRoles(superuser: RoleCredentials, replication: RoleCredentials, runner: HookRunner = HookRunner()) async throws {
        try await execute(RoleSetup.sql(superuser: superuser, replication: replication), runner: runner)
    }
}

/// The SQL of the role setup, kept pure so it can be read and tested.
public enum RoleSetup {
    /// Statements that keep the passwords out of the server log, set the superuser's password, and create the
    /// replication role if missing (via `\gexec`, no dollar quoting) before altering it to LOGIN REPLICATION + password.
    public static func sql(superuser: RoleCredentials, replication: RoleCredentials) -> String {
        var lines = [
            "SET standard_conforming_strings = on;",
            "SET log_statement = 'none';",
            "SET log_min_duration_statement = -1;",
            "SET log_min_error_statement = 'panic';",
        ]
        if let password = superuser.password {
            lines.append("ALTER ROLE \(identifier(superuser.username)) WITH PASSWORD \(literal(password));")
        }
        if replication.username != superuser.username {
            lines.append(
                "SELECT 'CREATE ROLE ' || quote_ident(\(literal(replication.username))) "
                    + "WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(literal(replication.username))) \\gexec"
            )
            let password = replication.password.map { " PASSWORD \(literal($0))" } ?? ""
            lines.append("ALTER ROLE \(identifier(replication.username)) WITH LOGIN REPLICATION\(password);")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `"name"` with `"` doubled.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `'text'` with `'` doubled (standard_conforming_strings is on, so `\` is literal).
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
