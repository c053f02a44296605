import Foundation
import JobStore
import Testing

@Suite struct AuditHistoryTests {
    @Test func anAttemptRecordsWhatTheHookDidWithSecretsMasked() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try queue.claim(now: fixture.t0))
        let start = AttemptStart(
            position: 1, method: "wal_e", command: "/etc/sidecar/hooks.d/wal_e",
            argv: [
                "/etc/sidecar/hooks.d/wal_e", "--scope=demo", "--password=x", "--connstring=host=10.0.0.1 user=rep password=x",
                "--aws-secret-access-key=abc", "--api_token", "t0k3n", "--datadir=/data/pg",
            ],
            cloneSource: "postgres://rep:x@10.0.0.1:5432/postgres", logPath: "/state/logs/1/1.log")
        let attempt = try fixture.history.openAttempt(claim.lease, start, now: fixture.at(1))
        try fixture.history.attemptStarted(
            attempt, claim.lease, process: AttemptProcess(pid: 10, processGroup: 10, startTime: 99), now: fixture.at(1))
        let stdout = Array(repeating: UInt8(ascii: "o"), count: 2048) + [0xff, 0xfe]
        try fixture.history.closeAttempt(
            attempt, claim.lease,
            AttemptEnd(outcome: .failed, exitCode: 3, stdoutTail: stdout, stderrTail: Array("boom\n".utf8), outputBytes: 123_456),
            now: fixture.at(9))

        let stored = try #require(try fixture.history.attempts(jobID: job.id).first)
        #expect(
            stored.argv == [
                "/etc/sidecar/hooks.d/wal_e", "--scope=demo", "--password=******", "--connstring=host=10.0.0.1 user=rep password=******",
                "--aws-secret-access-key=******", "--api_token", "******", "--datadir=/data/pg",
            ])
        #expect(stored.cloneSource == "postgres://rep:******@10.0.0.1:5432/postgres")
        #expect(stored.number == 1)
        #expect(stored.cycle == 1)
        #expect(stored.position == 1)
        #expect(stored.method == "wal_e")
        #expect(stored.command == "/etc/sidecar/hooks.d/wal_e")
        #expect(stored.startedAt == fixture.at(1))
        #expect(stored.finishedAt == fixture.at(9))
        #expect(stored.outcome == .failed)
        #expect(stored.exitCode == 3)
        #expect(stored.signal == nil)
        #expect(stored.stdoutTail == stdout)
        #expect(stored.stderrTail == Array("boom\n".utf8))
        #expect(stored.outputBytes == 123_456)
        #expect(stored.logPath == "/state/logs/1/1.log")
        #expect(stored.process == AttemptProcess(pid: 10, processGroup: 10, startTime: 99))

        // Nothing in the database or its write-ahead log holds the secret values.
        let file =
            try Data(contentsOf: URL(fileURLWithPath: fixture.database.path))
            + Data(contentsOf: URL(fileURLWithPath: fixture.database.path + "-wal"))
        for secret in ["password=x", "rep:x@", "=abc", "t0k3n"] {
            #expect(file.range(of: Data(secret.utf8)) == nil, "\(secret) stored")
        }
    }

    @Test func onlyOneAttemptOfAJobIsOpenAtATime() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        _ = try queue.enqueue(fixture.request(), now: fixture.t0)
        let claim = try #require(try queue.claim(now: fixture.t0))
        _ = try fixture.history.openAttempt(claim.lease, AttemptStart(position: 0, method: "a"), now: fixture.t0)
        let error = #expect(throws: JobStoreError.self) {
            try fixture.history.openAttempt(claim.lease, AttemptStart(position: 1, method: "b"), now: fixture.t0)
        }
        #expect(error?.code == .database)
    }

    @Test func progressIsThrottledPerAttempt() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try queue.claim(now: fixture.t0))
        let attempt = try fixture.history.openAttempt(claim.lease, AttemptStart(position: 0, method: "a"), now: fixture.t0)
        #expect(try fixture.history.attemptProgress(attempt, claim.lease, lastLine: "10%", now: fixture.at(1)))
        #expect(try fixture.history.attemptProgress(attempt, claim.lease, lastLine: "11%", now: fixture.at(1.5)) == false)
        #expect(try fixture.history.attempts(jobID: job.id)[0].lastLine == "10%")
        #expect(try fixture.history.attemptProgress(attempt, claim.lease, lastLine: "PGPASSWORD=s3cret 50%", now: fixture.at(2)))
        let stored = try fixture.history.attempts(jobID: job.id)[0]
        #expect(stored.lastLine == "PGPASSWORD=****** 50%")
        #expect(stored.progressAt == fixture.at(2))
    }

    @Test func listFiltersByStateKindSinceAndLimitNewestFirst() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let a = try queue.enqueue(fixture.request("/d/a", kind: .image), now: fixture.t0).job
        let b = try queue.enqueue(fixture.request("/d/b", kind: .replica), now: fixture.at(10)).job
        let c = try queue.enqueue(fixture.request("/d/c", kind: .bootstrap), now: fixture.at(20)).job
        let claim = try #require(try queue.claim(now: fixture.at(30)))
        #expect(claim.job.id == a.id)
        try queue.finish(claim.lease, now: fixture.at(31))

        let history = fixture.history
        #expect(try history.jobs().map(\.id) == [c.id, b.id, a.id])
        #expect(try history.jobs(JobFilter(state: .succeeded)).map(\.id) == [a.id])
        #expect(try history.jobs(JobFilter(state: .queued)).map(\.id) == [c.id, b.id])
        #expect(try history.jobs(JobFilter(kind: .replica)).map(\.id) == [b.id])
        #expect(try history.jobs(JobFilter(since: fixture.at(10))).map(\.id) == [c.id, b.id])
        #expect(try history.jobs(JobFilter(limit: 1)).map(\.id) == [c.id])
        #expect(try history.jobs(JobFilter(dataDirectory: "/d/b")).map(\.id) == [b.id])
        #expect(try history.unfinishedJob(dataDirectory: "/d/b")?.id == b.id)
        #expect(try history.unfinishedJob(dataDirectory: "/d/a") == nil)
        let missing = #expect(throws: JobStoreError.self) { try history.detail(jobID: 12345) }
        #expect(missing?.code == .notFound)
    }

    @Test func pruneRemovesOldFinishedJobsInBatchesAndKeepsUnfinishedOnes() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let day: Double = 86_400
        var finished: [Int64] = []
        for index in 0..<5 {
            _ = try queue.enqueue(fixture.request("/d/old\(index)"), now: fixture.t0)
            let claim = try #require(try queue.claim(now: fixture.t0))
            let attempt = try fixture.history.openAttempt(
                claim.lease, AttemptStart(position: 0, method: "m", logPath: "/logs/\(claim.job.id)/1.log"), now: fixture.t0)
            try fixture.history.closeAttempt(attempt, claim.lease, AttemptEnd(outcome: .failed, exitCode: 1), now: fixture.t0)
            switch index {
            case 0: try queue.fail(claim.lease, error: "e", now: fixture.t0)
            case 1: try queue.acknowledgeCancel(claim.lease, now: fixture.t0)
            default: try queue.finish(claim.lease, now: fixture.t0)
            }
            finished.append(claim.job.id)
        }
        let oldQueued = try queue.enqueue(fixture.request("/d/queued"), now: fixture.t0).job
        _ = try queue.enqueue(fixture.request("/d/running"), now: fixture.t0)
        let running = try #require(try queue.claim(dataDirectory: "/d/running", now: fixture.t0))
        _ = try queue.enqueue(fixture.request("/d/recent"), now: fixture.at(9 * day))
        let recent = try #require(try queue.claim(dataDirectory: "/d/recent", now: fixture.at(9 * day)))
        try queue.finish(recent.lease, now: fixture.at(9 * day))

        let result = try fixture.history.prune(finishedBefore: fixture.at(7 * day), batchSize: 2)
        #expect(result.jobs == 5)
        #expect(result.attempts == 5)
        #expect(Set(result.jobIDs) == Set(finished))
        #expect(Set(result.logPaths) == Set(finished.map { "/logs/\($0)/1.log" }))
        let left = try fixture.history.jobs(JobFilter(limit: 100)).map(\.id)
        #expect(Set(left) == [oldQueued.id, running.job.id, recent.job.id])
        let orphans = try fixture.database.connection.read { tx in
            try tx.queryFirst(
                """
                SELECT (SELECT count(*) FROM attempts WHERE job_id NOT IN (SELECT id FROM jobs))
                     + (SELECT count(*) FROM events WHERE job_id NOT IN (SELECT id FROM jobs))
                """)?[0] as Int?
        }
        #expect(orphans == 0)
        #expect(try fixture.history.detail(jobID: running.job.id).events.count == 2)
        #expect(try fixture.history.prune(finishedBefore: fixture.at(7 * day)).jobs == 0)
    }

    @Test func eventsAreMaskedAndNeedAJob() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let job = try fixture.queue().enqueue(fixture.request(), now: fixture.t0).job
        try fixture.history.appendEvent(jobID: job.id, "trying to bootstrap from leader 'pg1' (host=pg1 password=pw)", now: fixture.at(1))
        // Greedy: the value runs to the next space, so the ')' goes too.
        let stored = try fixture.history.detail(jobID: job.id).events.last?.message
        #expect(stored == "trying to bootstrap from leader 'pg1' (host=pg1 password=******")
        let error = #expect(throws: JobStoreError.self) { try fixture.history.appendEvent(jobID: 999, "x") }
        #expect(error?.code == .notFound)
    }
}
