import Foundation
import Hooks
import Logging
import Postgres

/// The local PostgreSQL instance as the pipelines drive it, through the Postgres module's programs: start, stop,
/// look at it, set up roles. Failures throw ``PostgresError`` with the program's last output lines.
struct LocalInstance: Sendable {
    var configuration: ImagingConfiguration
    var runner: HookRunner
    var logger: Logger

    private var postgres: PostgresConfiguration { configuration.postgres }
    private var dataDirectory: DataDirectory { postgres.data }
    private var serverLog: String { "\(configuration.stateDirectory)/logs/postgresql.log" }

    // MARK: - Imaging programs (run as recorded attempts)

    var initdb: Initdb {
        Initdb(
            binaries: postgres.binaries, dataDirectory: postgres.dataDirectory, options: configuration.bootstrap?.initdbOptions ?? [],
            superuser: postgres.superuser)
    }

    /// The argv recorded for the initdb attempt (the password only ever in a temporary `--pwfile`).
    var initdbArgv: [String] {
        [postgres.binaries.path(.initdb)] + initdb.arguments(passwordFile: postgres.superuser.password == nil ? nil : "<temporary file>")
    }

    var basebackup: PgBaseBackup {
        PgBaseBackup(binaries: postgres.binaries, dataDirectory: postgres.dataDirectory, options: postgres.basebackupOptions, progress: true)
    }

    /// `pg_basebackup --pgdata=… -X stream --dbname=<connstring>` plus `postgresql.basebackup` options and `--progress`
    /// (its copied / total lines feed the status).
    func basebackupArgv(connstring: Connstring) -> [String] {
        [postgres.binaries.path(.pgBasebackup)] + basebackup.arguments(source: connstring)
    }

    // MARK: - Configuration

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

    /// `pg_ctl start -w`, the server log in `<state_dir>/logs/postgresql.log`; with `wait`, until it accepts connections.
    ///
    /// Without `wait` (a bootstrap's recovery, which may run for hours with connections refused), pg_ctl waits a few
    /// seconds only and a server still starting is fine: sidecar then watches the recovery itself. Never `pg_ctl -W`:
    /// it can exit before its child has left the process group, and the runner's final SIGKILL to the group would
    /// then kill the server before it starts.
    func start(jobID: Int64, context: ImagingContext, wait: Bool = true) async throws {
        try FileManager.default.createDirectory(atPath: "\(configuration.stateDirectory)/logs", withIntermediateDirectories: true)
        var pgCtl = postgres.pgCtl
        if !wait { pgCtl.timeout = min(pgCtl.timeout, .seconds(5)) }
        let result = await pgCtl.start(logFile: serverLog, runner: runner)
        if !result.outcome.isSuccess {
            guard !wait, try await isRunning() else {
                throw PostgresError(.command, "pg_ctl start failed (\(result.outcome.name)): \(Self.lastLines(result)); see \(serverLog)")
            }
        }
        context.event(jobID, "started PostgreSQL (log: \(serverLog))")
    }

    /// `pg_ctl stop -m <mode>`; a server that is already gone is not an error.
    func stop(mode: PgCtl.StopMode) async throws {
        let result = await postgres.pgCtl.stop(mode: mode, runner: runner)
        if result.outcome.isSuccess { return }
        guard try await isRunning() else { return }
        throw PostgresError(.command, "pg_ctl stop -m \(mode.rawValue) failed: \(Self.lastLines(result))")
    }

    func reload() async throws {
        try await postgres.pgCtl.reload(runner: runner)
    }

    /// Whether a postmaster runs in the data dir.
    func isRunning() async throws -> Bool {
        guard dataDirectory.isValid else { return false }
        return try await postgres.pgCtl.status(runner: runner) == .running
    }

    /// Waits until `pg_isready` says the server accepts connections, up to `pg_ctl_timeout`.
    func waitUntilAcceptingConnections() async throws {
        let deadline = ContinuousClock.now + postgres.pgCtlTimeout
        let check = PgIsReady(binaries: postgres.binaries)
        while ContinuousClock.now < deadline {
            if try await check.check(host: postgres.socketDirectory, port: postgres.listen.port, runner: runner) == .accepting { return }
            guard try await isRunning() else { throw PostgresError(.command, "PostgreSQL stopped while starting; see \(serverLog)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PostgresError(.command, "PostgreSQL did not accept connections within \(postgres.pgCtlTimeout); see \(serverLog)")
    }

    // MARK: - What it is

    func controlData() async throws -> ControlData {
        try await PgControlData(binaries: postgres.binaries, dataDirectory: postgres.dataDirectory).read(runner: runner)
    }

    func systemIdentifier() async throws -> String {
        try await controlData().systemIdentifier
    }

    /// What the local instance is: stopped, a primary, or a replica (per `pg_ctl status` and `pg_controldata`).
    func verify() async -> NodeStatus.Instance {
        do {
            guard try await isRunning() else { return .stopped }
            let state = try await controlData().clusterState
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
    }

    /// How a bootstrap's recovery is going, from the server itself: the control file is no guide (a base backup's
    /// copy says `in production` before the replay even starts). While `hot_standby` is off (a `promote` recovery)
    /// nothing can connect until the recovery ends; the replay location then comes from the control file.
    func recoveryProgress() async throws -> RecoveryProgress {
        guard let status = try? await postgres.localPsql.recoveryStatus(runner: runner) else {
            let location = (try? await controlData().fields["Minimum recovery ending location"]) ?? nil
            return .replaying(location ?? "?")
        }
        if !status.inRecovery { return .finished }
        let replayed = status.replayLocation ?? "?"
        return status.replayPaused ? .paused(replayed) : .replaying(replayed)
    }

    func resumeReplay() async throws {
        try await postgres.localPsql.execute("SELECT pg_catalog.pg_wal_replay_resume();", runner: runner)
    }

    func isInRecovery() async throws -> Bool {
        try await postgres.localPsql.recoveryStatus(runner: runner).inRecovery
    }

    /// The superuser password and the replication role (SPEC §4.5); passwords only in a 0600 file, never in argv.
    func setUpRoles() async throws {
        try await postgres.localPsql.setUpRoles(superuser: postgres.superuser, replication: postgres.replication, runner: runner)
    }

    /// The key=value connstring of the local superuser (for `post_bootstrap`), with the pgpass file written for it.
    func localSuperuserConnection() throws -> (connstring: Connstring, pgpassFile: String) {
        try postgres.pgpass(source: nil).write(to: postgres.pgpassPath)
        return (postgres.localSuperuserConnstring, postgres.pgpassPath)
    }

    static func lastLines(_ result: HookResult) -> String {
        let text = String(decoding: result.stderrTail.isEmpty ? result.stdoutTail : result.stderrTail, as: UTF8.self)
        let lines = text.split(separator: "\n").suffix(2).joined(separator: " / ")
        return lines.isEmpty ? result.outcome.name : String(lines)
    }
}
