import Foundation
import Hooks
import Logging
import Postgres

/// The local PostgreSQL instance as the pipelines drive it: start, stop, look at it, set up roles.
/// Every binary runs through ``HookRunner`` with a deadline; a failure throws ``PostgresError`` with its output.
struct LocalInstance: Sendable {
    var configuration: ImagingConfiguration
    var runner: HookRunner
    var logger: Logger

    private var postgres: PostgresConfiguration { configuration.postgres }
    private var dataDirectory: DataDirectory { DataDirectory(path: postgres.dataDirectory) }

    // MARK: - Argv

    func binary(_ name: String) -> String { "\(postgres.binDirectory)/\(name)" }

    /// `initdb --pgdata=… --username=… [--pwfile=…]` plus the `bootstrap.initdb` options.
    func initdbArgv(options: [CommandOption], passwordFile: String?) -> [String] {
        var argv = [binary("initdb"), "--pgdata=\(postgres.dataDirectory)", "--username=\(postgres.superuser.username)"]
        if let passwordFile { argv.append("--pwfile=\(passwordFile)") }
        return argv + options.flatMap(\.arguments)
    }

    /// `pg_basebackup --pgdata=… -X stream --dbname=<connstring>` plus `postgresql.basebackup` options.
    func basebackupArgv(connstring: Connstring) -> [String] {
        [binary("pg_basebackup"), "--pgdata=\(postgres.dataDirectory)", "-X", "stream", "--dbname=\(connstring.description)"]
            + postgres.basebackupOptions.flatMap(\.arguments)
    }

    /// The superuser password in a temporary 0600 file for `initdb --pwfile`, or `nil` without a password.
    func writePasswordFile() throws -> String? {
        guard let password = postgres.superuser.password else { return nil }
        return try SecretFile.write(password + "\n", directory: configuration.stateDirectory, prefix: "pwfile")
    }

    func removePasswordFile(_ path: String?) {
        if let path { unlink(path) }
    }

    /// The standby configuration of SPEC §5.4 (without a source: standby mode only, the restore tool's settings
    /// kept), then `postgresql.parameters` and `listen`.
    func writeStandbyConfiguration(connection: Connstring, hasSource: Bool) throws {
        if hasSource {
            try dataDirectory.writeStandbyConfiguration(primary: connection, applicationName: configuration.name, passfile: postgres.pgpassPath)
        } else {
            try dataDirectory.writeRecoveryConfiguration([
                ConfigParameter("standby_mode", "on"), ConfigParameter("recovery_target_timeline", "latest"),
            ])
        }
        try dataDirectory.writeParameters(postgres.parameters, listen: postgres.listen)
    }

    // MARK: - pg_ctl

    /// `pg_ctl start -w`, the server log in `<state_dir>/logs/postgresql.log`.
    func start(jobID: Int64, context: ImagingContext) async throws {
        let log = "\(configuration.stateDirectory)/logs/postgresql.log"
        try FileManager.default.createDirectory(atPath: "\(configuration.stateDirectory)/logs", withIntermediateDirectories: true)
        let timeout = Int(postgres.pgCtlTimeout.components.seconds)
        let result = await run(
            "pg_ctl", ["start", "-w", "-t", "\(timeout)", "-D", postgres.dataDirectory, "-l", log], timeout: postgres.pgCtlTimeout + .seconds(5))
        guard result.outcome.isSuccess else {
            throw PostgresError(.command, "pg_ctl start failed (\(result.outcome.name)): \(Self.lastLines(result)); see \(log)")
        }
        context.event(jobID, "started PostgreSQL (log: \(log))")
    }

    /// `pg_ctl stop -m <mode> -w`.
    func stop(mode: String) async throws {
        let timeout = Int(postgres.pgCtlTimeout.components.seconds)
        let result = await run(
            "pg_ctl", ["stop", "-m", mode, "-w", "-t", "\(timeout)", "-D", postgres.dataDirectory], timeout: postgres.pgCtlTimeout + .seconds(5))
        if result.outcome.isSuccess { return }
        guard try await isRunning() else { return }
        throw PostgresError(.command, "pg_ctl stop -m \(mode) failed: \(Self.lastLines(result))")
    }

    func reload() async throws {
        let result = await run("pg_ctl", ["reload", "-D", postgres.dataDirectory], timeout: .seconds(30))
        guard result.outcome.isSuccess else { throw PostgresError(.command, "pg_ctl reload failed: \(Self.lastLines(result))") }
    }

    /// Whether a postmaster runs in the data dir (`pg_ctl status`: 0 running, 3 not running, 4 no data dir).
    func isRunning() async throws -> Bool {
        guard dataDirectory.isValid else { return false }
        let result = await run("pg_ctl", ["status", "-D", postgres.dataDirectory], timeout: .seconds(10))
        switch result.outcome {
        case .succeeded: return true
        case .failed(let code) where code == 3 || code == 4: return false
        default: throw PostgresError(.command, "pg_ctl status failed: \(Self.lastLines(result))")
        }
    }

    /// Waits until `pg_isready` says the server accepts connections, up to `pg_ctl_timeout`.
    func waitUntilAcceptingConnections(context: ImagingContext) async throws {
        let deadline = ContinuousClock.now + postgres.pgCtlTimeout
        var last = ""
        while ContinuousClock.now < deadline {
            let result = await run("pg_isready", connectionArguments(database: false), timeout: .seconds(10))
            if result.outcome.isSuccess { return }
            last = Self.lastLines(result)
            guard try await isRunning() else { throw PostgresError(.command, "PostgreSQL stopped while starting; see its log") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw PostgresError(.command, "PostgreSQL did not accept connections within \(postgres.pgCtlTimeout): \(last)")
    }

    // MARK: - pg_controldata

    /// `pg_controldata` as a dictionary of its `Name: value` lines.
    func controlData() async throws -> [String: String] {
        let result = await run("pg_controldata", ["-D", postgres.dataDirectory], timeout: .seconds(30))
        guard result.outcome.isSuccess else { throw PostgresError(.command, "pg_controldata failed: \(Self.lastLines(result))") }
        var fields: [String: String] = [:]
        for line in String(decoding: result.stdoutTail, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].trimmingCharacters(in: .whitespaces)] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    func systemIdentifier() async throws -> String {
        guard let id = try await controlData()["Database system identifier"] else {
            throw PostgresError(.command, "pg_controldata printed no system identifier")
        }
        return id
    }

    /// What the local instance is: stopped, a primary, or a replica (running, per `pg_ctl status` and `pg_controldata`).
    func verify() async -> NodeStatus.Instance {
        do {
            guard try await isRunning() else { return .stopped }
            let state = try await controlData()["Database cluster state"] ?? ""
            if state == "in production" { return .primary }
            if state.contains("recovery") { return .replica }
            return .unknown
        } catch {
            logger.debug("could not verify the instance: \(error)")
            return .unknown
        }
    }

    // MARK: - Recovery

    enum RecoveryProgress: Sendable, Equatable {
        case finished
        case paused(String)
        case replaying(String)
        case unknown
    }

    func recoveryProgress() async throws -> RecoveryProgress {
        let control = try await controlData()
        if control["Database cluster state"] == "in production" { return .finished }
        let location = control["Minimum recovery ending location"] ?? "?"
        // Connections work only with hot_standby on (a `pause` recovery); otherwise watch the control file.
        let version = (try? dataDirectory.version().major) ?? 15
        let pausedQuery = version >= 14 ? "SELECT pg_get_wal_replay_pause_state() = 'paused'" : "SELECT pg_is_wal_replay_paused()"
        guard let paused = try? await query(pausedQuery) else { return .replaying(location) }
        return paused == "t" ? .paused(location) : .replaying(location)
    }

    func resumeReplay() async throws {
        _ = try await query("SELECT pg_wal_replay_resume()")
    }

    func isInRecovery() async throws -> Bool {
        try await query("SELECT pg_is_in_recovery()") == "t"
    }

    // MARK: - SQL

    /// The superuser password and the replication role (SPEC §4.5); passwords only in a 0600 file, never in argv.
    func setUpRoles() async throws {
        var sql = ""
        let superuser = postgres.superuser
        if let password = superuser.password {
            sql += "ALTER ROLE \(SQLText.identifier(superuser.username)) WITH PASSWORD \(SQLText.literal(password));\n"
        }
        let replication = postgres.replication
        let password = replication.password.map { " PASSWORD \(SQLText.literal($0))" } ?? ""
        let name = SQLText.identifier(replication.username)
        sql += """
            DO $sidecar$
            BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(SQLText.literal(replication.username))) THEN
                CREATE ROLE \(name) WITH LOGIN REPLICATION\(password);
              ELSE
                ALTER ROLE \(name) WITH LOGIN REPLICATION\(password);
              END IF;
            END
            $sidecar$;

            """
        let file = try SecretFile.write(sql, directory: configuration.stateDirectory, prefix: "roles.sql")
        defer { unlink(file) }
        let result = await run(
            "psql", connectionArguments(database: true) + ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", file], timeout: .seconds(60))
        guard result.outcome.isSuccess else { throw PostgresError(.command, "setting up roles failed: \(Self.lastLines(result))") }
    }

    /// One value from a query run as the superuser over the local socket.
    func query(_ sql: String) async throws -> String {
        let result = await run(
            "psql", connectionArguments(database: true) + ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], timeout: .seconds(30))
        guard result.outcome.isSuccess else { throw PostgresError(.command, "psql failed: \(Self.lastLines(result))") }
        return String(decoding: result.stdoutTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The key=value connstring of the local superuser (for `post_bootstrap`) and a pgpass file for it.
    func localSuperuserConnection() throws -> (connstring: Connstring, pgpassFile: String) {
        let host = postgres.socketDirectory ?? "/var/run/postgresql"
        let connstring = Connstring(pairs: [
            .init("dbname", "postgres"), .init("user", postgres.superuser.username), .init("host", host), .init("port", String(postgres.listen.port)),
        ])
        var entries: [PgPass.Entry] = []
        if let password = postgres.superuser.password {
            entries.append(PgPass.Entry(host: host, port: postgres.listen.port, user: postgres.superuser.username, password: password))
        }
        try PgPass(entries: entries).write(to: postgres.pgpassPath)
        return (connstring, postgres.pgpassPath)
    }

    private func connectionArguments(database: Bool) -> [String] {
        var arguments: [String] = []
        if let socket = postgres.socketDirectory { arguments += ["-h", socket] }
        arguments += ["-p", String(postgres.listen.port), "-U", postgres.superuser.username]
        if database { arguments += ["-d", "postgres"] }
        return arguments
    }

    // MARK: - Running

    private func run(_ name: String, _ arguments: [String], timeout: Duration) async -> HookResult {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") && !$0.key.hasPrefix("SIDECAR_") }
        environment["PGCONNECT_TIMEOUT"] = "5"
        let invocation = HookInvocation(
            executable: binary(name), arguments: arguments, environment: environment, workingDirectory: configuration.stateDirectory,
            timeout: timeout, grace: .seconds(5), tailBytes: 64 * 1024)
        let result = await runner.run(invocation)
        if !result.outcome.isSuccess {
            logger.debug("\(name) \(arguments.first ?? ""): \(result.outcome.name): \(Self.lastLines(result))")
        }
        return result
    }

    static func lastLines(_ result: HookResult) -> String {
        let text = String(decoding: result.stderrTail.isEmpty ? result.stdoutTail : result.stderrTail, as: UTF8.self)
        let lines = text.split(separator: "\n").suffix(2).joined(separator: " / ")
        return lines.isEmpty ? result.outcome.name : String(lines)
    }
}
