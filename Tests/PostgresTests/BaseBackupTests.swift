import Foundation
import Hooks
import Postgres
import TestSupport
import Testing

@Suite("pg_basebackup and the standby configuration against real PostgreSQL 15")
struct BaseBackupTests {
    let binaries = PostgresBinaries(directory: PostgresCluster.binDirectory)

    @Test("a base backup through the connstring and pgpass becomes a replica that streams with sidecar's standby configuration")
    func replicaStreams() async throws {
        let primary = try PostgresCluster(initdbOptions: ["--auth-local=trust", "--auth-host=scram-sha-256"])
        defer { primary.remove() }
        try primary.start()
        let replication = RoleCredentials(username: "replicator", password: "re pl:i'ca\\tion")
        try await Psql(binaries: binaries, host: primary.socketDirectory, port: primary.port, user: "postgres")
            .setUpRoles(superuser: RoleCredentials(username: "postgres"), replication: replication)
        _ = try primary.query("CREATE TABLE before_backup AS SELECT 1 AS a")

        let replicaDir = try ScratchDirectory("pg", owner: PostgresCluster.user)
        defer { replicaDir.remove() }
        let pgpass = replicaDir.file("pgpass")
        try PgPass(entries: [PgPass.Entry(host: "127.0.0.1", port: primary.port, user: "replicator", password: replication.password!)]).write(
            to: pgpass)
        let data = DataDirectory(path: replicaDir.file("data"))
        let source = Connstring(source: HostPort(host: "127.0.0.1", port: primary.port), role: replication)
        let backup = PgBaseBackup(
            binaries: binaries, dataDirectory: data.path, options: [.flag("no-sync"), .value("checkpoint", "fast")], progress: true)
        let result = await backup.run(source: source, passfile: pgpass, timeout: .seconds(120))
        #expect(result.outcome == .succeeded, "pg_basebackup: \(result.stderrText)")
        let progress = result.stderrText.split(separator: "\n").compactMap { BasebackupProgress(line: String($0)) }
        #expect(progress.last?.percent == 100 && (progress.last?.totalKB ?? 0) > 1000, "stderr: \(result.stderrText)")
        #expect(try data.state(imagingUnfinished: false) == .valid)
        let primaryIdentifier = try primary.query("SELECT system_identifier FROM pg_control_system()")
        #expect(try await PgControlData(binaries: binaries, dataDirectory: data.path).read().systemIdentifier == primaryIdentifier)

        // Written as root by pg_basebackup: hand the copy to postgres, then configure it as sidecar would.
        #expect(try AsUser.run(["/bin/chown", "-R", "postgres:postgres", data.path], user: nil).succeeded)
        let replicaPort = try FreePort.next()
        try data.writeParameters(
            [ConfigParameter("unix_socket_directories", replicaDir.path), ConfigParameter("hot_standby", "on")],
            listen: HostPort(host: "127.0.0.1", port: replicaPort)
        )
        try data.writeStandbyConfiguration(primary: source, applicationName: "node b", passfile: pgpass)
        let log = replicaDir.file("replica.log")
        let started = try AsUser.run(
            [PostgresCluster.binary("pg_ctl"), "start", "-D", data.path, "-w", "-t", "60", "-l", log],
            timeout: .seconds(90)
        )
        defer {
            _ = try? AsUser.run([PostgresCluster.binary("pg_ctl"), "stop", "-D", data.path, "-m", "immediate", "-w"], timeout: .seconds(60))
        }
        try #require(started.succeeded, "replica did not start: \(started.stderr) \((try? Fixtures.read(log)) ?? "")")
        let replica = Psql(binaries: binaries, host: replicaDir.path, port: replicaPort, user: "postgres")
        #expect(try await replica.recoveryStatus().inRecovery)

        let deadline = ContinuousClock.now + .seconds(30)
        var state = ""
        while ContinuousClock.now < deadline {
            state = try primary.query("SELECT application_name || '|' || state FROM pg_stat_replication")
            if state == "node b|streaming" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state == "node b|streaming")
        let status = try await replica.recoveryStatus()
        #expect(status.walReceiver == "streaming")
        #expect(status.replayLocation != nil)
        #expect(data.livePostmasterPID() != nil)
    }

    @Test("a wrong password is a failed attempt (a value) with libpq's error in the stderr tail")
    func wrongPassword() async throws {
        let primary = try PostgresCluster(initdbOptions: ["--auth-local=trust", "--auth-host=scram-sha-256"])
        defer { primary.remove() }
        try primary.start()
        try await Psql(binaries: binaries, host: primary.socketDirectory, port: primary.port, user: "postgres")
            .setUpRoles(superuser: RoleCredentials(username: "postgres"), replication: RoleCredentials(username: "replicator", password: "right"))
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try PgPass(entries: [PgPass.Entry(host: "127.0.0.1", port: primary.port, user: "replicator", password: "wrong")]).write(
            to: dir.file("pgpass"))
        let source = Connstring(source: HostPort(host: "127.0.0.1", port: primary.port), role: RoleCredentials(username: "replicator"))
        let result = await PgBaseBackup(binaries: binaries, dataDirectory: dir.file("data"), options: [])
            .run(source: source, passfile: dir.file("pgpass"), timeout: .seconds(60))
        #expect(result.outcome == .failed(exitCode: 1))
        #expect(result.stderrText.contains("password authentication failed"))
    }

    @Test("recovery_conf with recovery_target immediate and promote: recovery.signal + sidecar.recovery.conf recover and promote; removal cleans up")
    func recoveryPromotes() async throws {
        let primary = try PostgresCluster.running()
        defer { primary.remove() }
        _ = try primary.query("CREATE TABLE in_backup AS SELECT 42 AS a")
        let dir = try ScratchDirectory("pg", owner: PostgresCluster.user)
        defer { dir.remove() }
        let data = DataDirectory(path: dir.file("data"))
        let recovering = try await startInRecovery(
            copyOf: primary, into: dir, action: "promote", settings: [ConfigParameter("hot_standby", "off")])
        defer { recovering.stop() }
        let port = recovering.port
        let psql = Psql(binaries: binaries, host: dir.path, port: port, user: "postgres")
        let deadline = ContinuousClock.now + .seconds(30)
        var promoted = false
        while ContinuousClock.now < deadline, !promoted {
            promoted = (try? await psql.recoveryStatus().inRecovery) == false
            if !promoted { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(promoted, "the server did not leave recovery: \((try? Fixtures.read(dir.file("log"))) ?? "")")
        #expect(try await psql.query("SELECT a FROM in_backup;") == [["42"]])
        #expect(!Fixtures.exists(data.file("recovery.signal")), "PostgreSQL removes recovery.signal when it promotes")
        try data.removeRecoveryConfiguration()
        #expect(!Fixtures.exists(data.file(DataDirectory.recoveryFileName)))
        // pg_file_settings re-reads the configuration files: nothing of the recovery settings is left in them.
        let fileSettings = "SELECT count(*) FROM pg_file_settings WHERE name IN ('restore_command', 'recovery_target', 'recovery_target_action');"
        #expect(try await psql.query(fileSettings) == [["0"]])
    }

    @Test("recovery_target_action pause (hot_standby on) stays paused in recovery and is reported as paused, not shut down")
    func recoveryPauses() async throws {
        let primary = try PostgresCluster.running()
        defer { primary.remove() }
        let dir = try ScratchDirectory("pg", owner: PostgresCluster.user)
        defer { dir.remove() }
        let data = DataDirectory(path: dir.file("data"))
        let recovering = try await startInRecovery(copyOf: primary, into: dir, action: "pause")
        defer { recovering.stop() }
        let port = recovering.port
        let psql = Psql(binaries: binaries, host: dir.path, port: port, user: "postgres")
        let deadline = ContinuousClock.now + .seconds(30)
        var status: RecoveryStatus?
        while ContinuousClock.now < deadline {
            status = try? await psql.recoveryStatus()
            if status?.replayPaused == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status?.inRecovery == true)
        #expect(status?.replayPaused == true, "log: \((try? Fixtures.read(dir.file("log"))) ?? "")")
        #expect(data.livePostmasterPID() != nil)
    }

    /// A server started (without waiting) on a base backup of `primary` in `dir/data`, on a free port, with a targeted
    /// recovery (`recovery_target immediate`, the given action; `restore_command` `false` so it uses the WAL the
    /// backup streamed); `stop()` stops it immediately.
    struct Recovering {
        var port: Int
        var stop: () -> Void
    }

    func startInRecovery(
        copyOf primary: PostgresCluster, into dir: ScratchDirectory, action: String, settings: [ConfigParameter] = []
    ) async throws -> Recovering {
        let data = DataDirectory(path: dir.file("data"))
        let source = Connstring(source: HostPort(host: "127.0.0.1", port: primary.port), role: RoleCredentials(username: "postgres"))
        let result = await PgBaseBackup(binaries: binaries, dataDirectory: data.path, options: [.flag("no-sync")])
            .run(source: source, passfile: "/dev/null", timeout: .seconds(120))
        try #require(result.outcome == .succeeded, "pg_basebackup: \(result.stderrText)")
        #expect(try AsUser.run(["/bin/chown", "-R", "postgres:postgres", data.path], user: nil).succeeded)
        let port = try FreePort.next()
        try data.writeParameters([ConfigParameter("unix_socket_directories", dir.path)], listen: HostPort(host: "127.0.0.1", port: port))
        try data.writeRecoveryConfiguration([
            ConfigParameter("restore_command", "false"), ConfigParameter("recovery_target", "immediate"),
            ConfigParameter("recovery_target_action", action),
        ])
        #expect(Fixtures.exists(data.file("recovery.signal")))
        let pgCtl = PgCtl(binaries: binaries, dataDirectory: data.path, timeout: .seconds(60))
        let started = try AsUser.run(
            [PostgresCluster.binary("pg_ctl")] + pgCtl.startArguments(logFile: dir.file("log"), settings: settings, wait: false))
        let stop = { _ = try? AsUser.run([PostgresCluster.binary("pg_ctl")] + pgCtl.stopArguments(mode: .immediate), timeout: .seconds(90)) }
        guard started.succeeded else {
            stop()
            throw TestSupportError("start: \(started.stderr)")
        }
        return Recovering(port: port, stop: stop)
    }
}
