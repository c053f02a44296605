import Foundation
import JobStore
import TestSupport

/// A state dir with a job database the `sidecar jobs` tests read through the built binary:
/// job 1 image/auto succeeded (one attempt with a log file), job 2 replica/cli failed after 100 attempts,
/// job 3 bootstrap/http queued, job 4 image/auto running with an open attempt.
struct JobsFixture {
    let scratch: ScratchDirectory
    let stateDir: String
    /// 2026-01-01T00:00:00Z: every time in the fixture is this plus a few seconds.
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    init() throws {
        scratch = try ScratchDirectory("jobs-cli")
        stateDir = scratch.file("state")
        let database = try JobDatabase(stateDirectory: stateDir)
        let queue = JobQueue(database: database, owner: JobOwner(host: "node1", bootID: "b00t", pid: 4321, startTime: 99))
        let history = AuditHistory(database: database)
        let t0 = Self.t0

        _ = try queue.enqueue(JobRequest(kind: .image, source: .auto, scope: "demo", dataDirectory: "/data/one"), now: t0)
        let one = try queue.claim(now: t0.addingTimeInterval(1))!
        let log = stateDir + "/logs/1/1.log"
        try FileManager.default.createDirectory(atPath: stateDir + "/logs/1", withIntermediateDirectories: true)
        try Data("full line 1\nfull line 2\n".utf8).write(to: URL(fileURLWithPath: log))
        let first = try history.openAttempt(
            one.lease,
            AttemptStart(
                position: 0, method: "basebackup", command: "/usr/lib/postgresql/15/bin/pg_basebackup",
                argv: ["pg_basebackup", "--pgdata=/data/one", "--dbname=host=10.0.0.1 user=rep password=s3cret"], cloneSource: "pg0",
                logPath: log), now: t0.addingTimeInterval(2))
        try history.closeAttempt(
            first, one.lease, AttemptEnd(outcome: .succeeded, exitCode: 0, stdoutTail: Array("copied\n".utf8), outputBytes: 24),
            now: t0.addingTimeInterval(12))
        try queue.finish(one.lease, now: t0.addingTimeInterval(13))

        _ = try queue.enqueue(
            JobRequest(kind: .replica, source: .cli, scope: "demo", dataDirectory: "/data/two", options: JobOptions(fromLeader: true)),
            now: t0.addingTimeInterval(20))
        let two = try queue.claim(now: t0.addingTimeInterval(21))!
        for index in 1...100 {
            let at = t0.addingTimeInterval(21 + Double(index))
            let attempt = try history.openAttempt(
                two.lease, AttemptStart(position: index % 2, method: index % 2 == 0 ? "basebackup" : "wal_e"), now: at)
            try history.closeAttempt(
                attempt, two.lease, AttemptEnd(outcome: .failed, exitCode: 1, stderrTail: Array("attempt \(index) failed\n".utf8), outputBytes: 20),
                now: at.addingTimeInterval(0.5))
        }
        try queue.fail(two.lease, error: "every method failed", now: t0.addingTimeInterval(200))

        _ = try queue.enqueue(
            JobRequest(kind: .bootstrap, source: .http, scope: "demo", dataDirectory: "/data/three"), now: t0.addingTimeInterval(300))
        _ = try queue.enqueue(JobRequest(kind: .image, source: .auto, scope: "demo", dataDirectory: "/data/four"), now: t0.addingTimeInterval(400))
        let four = try queue.claim(dataDirectory: "/data/four", now: t0.addingTimeInterval(401))!
        _ = try history.openAttempt(four.lease, AttemptStart(position: 0, method: "basebackup"), now: t0.addingTimeInterval(402))
    }

    /// Runs the built `sidecar` with `arguments` (no `SIDECAR_CONFIG` in its environment).
    static func sidecar(_ arguments: [String]) async throws -> (status: Int32?, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["SIDECAR_CONFIG"] = nil
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let child = try ChildProcess(try BuiltProducts.path("sidecar"), arguments, environment: environment)
        let status = await child.wait(timeout: .seconds(60))
        return (status, child.stdout, child.stderr)
    }

    /// `sidecar` with `--state-dir` of this fixture appended.
    func sidecar(_ arguments: String...) async throws -> (status: Int32?, stdout: String, stderr: String) {
        try await Self.sidecar(arguments + ["--state-dir", stateDir])
    }

    func remove() { scratch.remove() }
}
