import DCS
import Foundation
import JobStore
import Logging
import Postgres
import TestSupport
import Testing

@testable import Imaging

/// `sidecar.retention`: the cycle prunes finished history older than it (with the log files inside the state dir),
/// keeps recent and unfinished jobs, and prunes at most once an hour.
@Suite struct HistoryRetentionTests {
    @Test func cyclePrunesFinishedJobsOlderThanRetentionWithTheirLogs() async throws {
        let scratch = try ScratchDirectory("retention")
        defer { scratch.remove() }
        let state = scratch.file("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let database = try JobDatabase(path: state + "/jobs.sqlite")
        let queue = JobQueue(database: database)
        let history = AuditHistory(database: database)
        let now = Date()
        let old = now.addingTimeInterval(-100 * 86_400)
        let recent = now.addingTimeInterval(-1 * 86_400)

        func finishedJob(_ dataDirectory: String, at time: Date, log: String? = nil) throws -> Int64 {
            _ = try queue.enqueue(JobRequest(kind: .replica, source: .cli, scope: "s", dataDirectory: dataDirectory), now: time)
            let claim = try #require(try queue.claim(dataDirectory: dataDirectory, now: time))
            let attempt = try history.openAttempt(claim.lease, AttemptStart(position: 0, method: "m"), now: time)
            if let log {
                try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data("output".utf8).write(to: URL(fileURLWithPath: log))
            }
            try history.closeAttempt(attempt, claim.lease, AttemptEnd(outcome: .failed, exitCode: 1, logPath: log), now: time)
            try queue.finish(claim.lease, now: time)
            return claim.job.id
        }
        let oldLog = state + "/logs/1/1.log"
        let outside = scratch.file("outside.log")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: outside))
        let oldJob = try finishedJob("/d/old", at: old, log: oldLog)
        let oldOutside = try finishedJob("/d/outside", at: old, log: outside)
        let recentJob = try finishedJob("/d/recent", at: recent)
        _ = try queue.enqueue(JobRequest(kind: .replica, source: .cli, scope: "s", dataDirectory: "/d/queued"), now: old)

        var configuration = ImagingConfiguration(
            scope: "s", name: "n", stateDirectory: state, hooksDirectory: scratch.path,
            postgres: PostgresConfiguration(
                dataDirectory: scratch.file("data"), binDirectory: "/nonexistent", listen: HostPort(host: "127.0.0.1", port: 1),
                pgpassPath: state + "/pgpass", superuser: RoleCredentials(username: "postgres"),
                replication: RoleCredentials(username: "replicator"), stateDirectory: state))
        configuration.retention = .seconds(30 * 86_400)
        let context = ImagingContext(
            configuration: configuration, queue: queue, history: history, dcs: MemoryDCS.memory(MemoryDCS.Store(), scope: "s", name: "n"),
            logger: Logger(label: "test"), now: { now })
        await Cycle(context: context).run()

        let left = Set(try history.jobs(JobFilter(limit: 100)).map(\.id))
        #expect(!left.contains(oldJob) && !left.contains(oldOutside))
        #expect(left.contains(recentJob))
        #expect(try history.jobs(JobFilter(state: .queued, limit: 100)).contains { $0.dataDirectory == "/d/queued" })
        #expect(!FileManager.default.fileExists(atPath: oldLog))
        #expect(FileManager.default.fileExists(atPath: outside), "a log path outside <state_dir>/logs is never deleted")

        // Within the hour, no second prune: a job that has become old meanwhile stays until the next one.
        let second = try finishedJob("/d/second", at: old)
        await Cycle(context: context).run()
        #expect(try history.jobs(JobFilter(limit: 100)).contains { $0.id == second })
    }
}
