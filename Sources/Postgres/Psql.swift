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

    /// `PGCONNECT_TIMEOUT`, `PGAPPNAME` and, with a pgpass file, `PGPASSFILE` (nothing else `PG*` is inherited).
    var environment: [String: String] {
        var environment = ["PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "sidecar"]
        if let passfile { environment["PGPASSFILE"] = passfile }
        return environment
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
        try await SecretFile.with(sql) { file in
            let invocation = binaries.invocation(.psql, arguments(file: file), environment: environment, timeout: timeout)
            let result = await runner.run(invocation)
            guard result.outcome.isSuccess else { throw PostgresError.failed("psql", result) }
        }
    }

    /// Runs one query and returns its rows, each a list of column texts (NULL as an empty string), from
    /// `psql -A -t` with a unit-separator field separator. Meant for small answers (the output tail is 64 KiB).
    ///
    /// Throws ``PostgresError`` as ``execute(_:timeout:runner:)`` does.
    public func query(_ sql: String, timeout: Duration = .seconds(30), runner: HookRunner = HookRunner()) async throws -> [[String]] {
        return try await SecretFile.with(sql) { file in
            let arguments = ["-A", "-t", "-F", "\u{1F}"] + self.arguments(file: file)
            let result = await runner.run(binaries.invocation(.psql, arguments, environment: environment, timeout: timeout))
            guard result.outcome.isSuccess else { throw PostgresError.failed("psql", result) }
            return result.stdoutText.split(separator: "\n").map { $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
        }
    }

    /// Whether the server is in recovery, its last replayed WAL location, the WAL receiver's status (e.g.
    /// `streaming`; `nil` when no receiver runs) and whether replay is paused (`recovery_target_action: pause`):
    /// what Imaging needs to watch a recovery and confirm a replica.
    ///
    /// Throws ``PostgresError`` `command` when the server cannot be queried, `parse` for an unexpected answer.
    public func recoveryStatus(runner: HookRunner = HookRunner()) async throws -> RecoveryStatus {
        let rows = try await query(
            "SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.pg_last_wal_replay_lsn(), (SELECT status FROM pg_catalog.pg_stat_wal_receiver), "
                + "CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_is_wal_replay_paused() ELSE false END;",
            runner: runner
        )
        guard let row = rows.first, row.count == 4, row[0] == "t" || row[0] == "f" else {
            throw PostgresError(.parse, "unexpected answer to the recovery status query: \(rows)")
        }
        return RecoveryStatus(
            inRecovery: row[0] == "t",
            replayLocation: row[1].isEmpty ? nil : row[1],
            walReceiver: row[2].isEmpty ? nil : row[2],
            replayPaused: row[3] == "t"
        )
    }

    /// Sets the superuser's password and creates or updates the replication role with LOGIN, REPLICATION and its
    /// password (SPEC §4.5). Run as the superuser while the temporary local trust is in place.
    ///
    /// Throws ``PostgresError`` as ``execute(_:timeout:runner:)`` does.
    public func setUpRoles(superuser: RoleCredentials, replication: RoleCredentials, runner: HookRunner = HookRunner()) async throws {
        try await execute(RoleSetup.sql(superuser: superuser, replication: replication), runner: runner)
    }
}
