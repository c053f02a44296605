import Foundation
import JobStore
import TestSupport

/// The reliability run's temp world: a node config, a copy of the sidecar binary, the flaky hook, and the daemon.
final class ReliabilityWorld {
    let directory: ScratchDirectory
    let binary: String
    let config: String
    let stateDirectory: String
    private var daemon: ChildProcess?

    init() throws {
        directory = try ScratchDirectory("sidecar-reliability", owner: "postgres")
        chmod(directory.path, 0o755)
        binary = directory.file("sidecar")
        let source = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sidecar").path
        let copy = try AsUser.run(["/bin/cp", source, binary], user: nil)
        guard copy.succeeded else { throw TestSupportError("copying sidecar failed: \(copy.stderr)") }
        let hooks = directory.file("hooks.d")
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        try """
        #!/bin/sh
        # Starts a grandchild that ignores SIGTERM; the job's first run sleeps 1.0-2.0 s (the kill lands in it), a
        # later run 0.1 s; then it fails.
        sh -c 'trap "" TERM; exec sleep 30' &
        mark="$(dirname "$0")/../ran.$SIDECAR_JOB_ID"
        if [ -e "$mark" ]; then sleep 0.1; exit 1; fi
        : > "$mark"
        n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        sleep "1.$(printf %03d $((n % 1000)))"
        exit 1

        """.write(toFile: hooks + "/flaky", atomically: true, encoding: .utf8)
        chmod(hooks + "/flaky", 0o755)
        stateDirectory = directory.file("state")
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        config = directory.file("sidecar.yml")
        try """
        scope: reliability
        name: node
        loop_wait: 1
        postgresql:
          data_dir: \(directory.file("data"))
          create_replica_methods: [flaky]
          flaky: {command: flaky, no_leader: true}
        sidecar:
          state_dir: \(stateDirectory)
          hooks_dir: \(hooks)
          listen: 127.0.0.1:\(try FreePort.next())
          hook_grace: 1s
          replica:
            max_cycles: 1

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let chown = try AsUser.run(["/bin/chown", "-R", "postgres:postgres", directory.path], user: nil)
        guard chown.succeeded else { throw TestSupportError("chown failed: \(chown.stderr)") }
    }

    static let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "SWIFT_BACKTRACE": "enable=no"]

    func startDaemon() throws -> ChildProcess {
        let child = try ChildProcess(
            "/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", binary, "run", "--config", config],
            environment: Self.environment)
        daemon = child
        return child
    }

    /// `sidecar reinit --force` as postgres; returns the queued job's id.
    func enqueue() throws -> Int64 {
        let result = try AsUser.run([binary, "reinit", "--force", "--config", config], environment: Self.environment, timeout: .seconds(30))
        guard result.succeeded, let word = result.stdout.split(separator: " ").dropFirst(3).first, let id = Int64(word) else {
            throw TestSupportError("sidecar reinit failed: \(result.stdout) \(result.stderr)")
        }
        return id
    }

    func run(jobs: Int) async throws -> ReliabilityReport {
        var report = ReliabilityReport()
        var current = try startDaemon()
        // The first reinit creates the database; the bench keeps one connection open from then on, so the WAL and
        // shared-memory files stay the ones the daemon (postgres) created.
        var id = try enqueue()
        let database = try JobDatabase(stateDirectory: stateDirectory, create: false)
        let history = AuditHistory(database: database)
        for round in 1...jobs {
            if round > 1 { id = try enqueue() }
            try await poll("job \(id) claimed", timeout: .seconds(20)) { try history.job(id: id).state != .queued }
            // A random moment of the job: its hook runs 1-2 s, so the kill lands before or while it runs.
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...1_000)))
            if try history.attempts(jobID: id).contains(where: { $0.outcome == nil && $0.process != nil }) { report.killsDuringHook += 1 }
            current.kill(SIGKILL)
            _ = await current.wait(timeout: .seconds(10))

            let restart = ContinuousClock.now
            current = try startDaemon()
            let before = try history.attempts(jobID: id).count
            let pid = current.pid
            try await poll("job \(id) claimed again", timeout: .seconds(20)) {
                let job = try history.job(id: id)
                return job.owner?.pid == pid || job.state.isFinal
            }
            report.toClaimed.append(Self.seconds(ContinuousClock.now - restart))
            try await poll("job \(id) running its hook again", timeout: .seconds(20)) {
                try history.attempts(jobID: id).count > before || history.job(id: id).state.isFinal
            }
            if try history.attempts(jobID: id).count > before { report.toHookRunning.append(Self.seconds(ContinuousClock.now - restart)) }
            do {
                try await poll("job \(id) finished", timeout: .seconds(30)) { try history.job(id: id).state.isFinal }
            } catch {
                report.lost.append(id)
            }
            let attempts = try history.attempts(jobID: id)
            report.openAttempts += attempts.filter { $0.outcome == nil }.count
            report.hooksAlive += attempts.compactMap(\.process).filter(Self.groupAlive).count
            report.jobs += 1
            if round % 10 == 0 { FileHandle.standardError.write(Data("\(round) jobs\n".utf8)) }
        }
        // Every job the database holds, against the ones queued: none missing, none unfinished.
        let all = try history.jobs(JobFilter(limit: jobs + 10))
        report.lost += all.filter { !$0.state.isFinal && !report.lost.contains($0.id) }.map(\.id)
        if all.count != jobs { report.lost.append(-Int64(jobs - all.count)) }
        current.kill(SIGTERM)
        _ = await current.wait(timeout: .seconds(10))
        return report
    }

    /// Whether any process of the recorded hook's group (started no earlier than the hook) still runs.
    static func groupAlive(_ hook: AttemptProcess) -> Bool {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.contains { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
                return false
            }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 19, fields[0] != "Z", let group = Int32(fields[2]), let start = Int64(fields[19]) else { return false }
            return group == hook.processGroup && start >= hook.startTime
        }
    }

    func poll(_ what: String, timeout: Duration, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestSupportError("timed out after \(timeout) waiting for \(what)")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func tearDown() {
        daemon?.kill(SIGKILL)
        directory.remove()
    }
}
