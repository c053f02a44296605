import Foundation
import JobStore
import TestSupport
import Testing

/// Several real processes (`sidecar-bench queue worker ...`) on one database file.
@Suite struct MultiProcessTests {
    @Test func fourProcessesClaimTwoThousandJobsEachExactlyOnce() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        for index in 0..<2000 {
            _ = try queue.enqueue(fixture.request("/data/\(index)"))
        }
        let bench = try BuiltProducts.path("sidecar-bench")
        let go = fixture.scratch.file("go")
        let workers = try (0..<4).map { _ in try ChildProcess(bench, ["queue", "worker", "claim", fixture.database.path, go]) }
        for worker in workers {
            #expect(await worker.waitForLine(timeout: .seconds(60)) { $0 == "ready" } != nil, "stderr: \(worker.stderr)")
        }
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        var claimed: [Int64] = []
        for worker in workers {
            let status = await worker.wait(timeout: .seconds(300))
            #expect(status == 0, "worker stderr: \(worker.stderr)")
            let ids = worker.stdout.split(separator: "\n").compactMap { Int64($0) }
            claimed += ids
        }
        // No SQLITE_BUSY reached a worker (it would have exited 1), every job was claimed once and only once.
        #expect(claimed.count == 2000)
        #expect(Set(claimed).count == 2000)
        let jobs = try fixture.history.jobs(JobFilter(limit: 3000))
        #expect(jobs.count == 2000)
        #expect(jobs.allSatisfy { $0.state == .succeeded && $0.cycle == 1 })
        #expect(Set(jobs.map(\.id)) == Set(claimed))
        // They really ran side by side: more than one worker got jobs.
        #expect(workers.filter { $0.stdout.split(separator: "\n").contains { Int64($0) != nil } }.count > 1)
    }

    @Test func concurrentEnqueuesMakeOneJobPerDataDir() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let dataDirectories = (0..<50).map { "/data/\($0)" }
        let bench = try BuiltProducts.path("sidecar-bench")
        let workers = try (0..<4).map { _ in
            try ChildProcess(bench, ["queue", "worker", "enqueue", fixture.database.path] + dataDirectories)
        }
        var created: [String] = []
        var seen: [String] = []
        for worker in workers {
            let status = await worker.wait(timeout: .seconds(120))
            #expect(status == 0, "worker stderr: \(worker.stderr)")
            let lines = worker.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 50)
            created += lines.filter { $0.hasPrefix("created ") }
            seen += lines
        }
        #expect(created.count == 50)
        let jobs = try fixture.history.jobs(JobFilter(limit: 1000))
        #expect(jobs.count == 50)
        #expect(Set(jobs.map(\.dataDirectory)) == Set(dataDirectories))
        // Every answer, created or existing, names one of those 50 jobs.
        let ids = Set(seen.compactMap { $0.split(separator: " ").last.flatMap { Int64($0) } })
        #expect(ids == Set(jobs.map(\.id)))
    }

    @Test func aKilledWorkersJobIsRequeuedAndItsHookReported() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let job = try fixture.queue().enqueue(fixture.request()).job
        let worker = try ChildProcess(try BuiltProducts.path("sidecar-bench"), ["queue", "worker", "hold", fixture.database.path])
        let line = try #require(await worker.waitForLine(timeout: .seconds(60)) { $0.hasPrefix("holding ") }, "stderr: \(worker.stderr)")
        let fields = line.split(separator: " ").compactMap { Int64($0) }
        #expect(fields.count == 3)
        let hookPID = Int32(fields[2])
        #expect(fields[0] == job.id)

        worker.kill(SIGKILL)
        #expect(await worker.wait(timeout: .seconds(30)) != nil)
        defer { kill(-hookPID, SIGKILL) }

        // The worker's lease has 30 s left: only the dead owner makes reconcile act now.
        let done = try JobQueue(database: fixture.database).reconcile()
        let reconciled = try #require(done.first)
        #expect(done.count == 1)
        #expect(reconciled.reason == .ownerGone)
        #expect(reconciled.previousOwner.pid == worker.pid)
        #expect(reconciled.job.state == .queued)
        #expect(reconciled.interruptedAttemptID == fields[1])
        let hook = try #require(reconciled.hookProcess)
        #expect(hook.pid == hookPID)
        #expect(hook.processGroup == hookPID)
        #expect(ProcessIdentity.isRunning(pid: hook.pid, startTime: hook.startTime))

        let attempt = try #require(try fixture.history.attempts(jobID: job.id).first)
        #expect(attempt.outcome == .interrupted)
        #expect(attempt.finishedAt != nil)

        // The caller kills the recorded group; the liveness check then says so.
        kill(-hook.processGroup, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while ProcessIdentity.isRunning(pid: hook.pid, startTime: hook.startTime), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(ProcessIdentity.isRunning(pid: hook.pid, startTime: hook.startTime) == false)
        // And the job can be claimed again.
        #expect(try JobQueue(database: fixture.database).claim()?.job.id == job.id)
    }
}
