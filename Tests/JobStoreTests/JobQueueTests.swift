import Foundation
import JobStore
import Testing

@Suite struct JobQueueTests {
    @Test func enqueueIsIdempotentPerDataDirUntilTheJobFinishes() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let first = try queue.enqueue(fixture.request(), now: fixture.t0)
        guard case .created(let job) = first else { Issue.record("expected a new job, got \(first)"); return }
        #expect(job.state == .queued)
        #expect(job.notBefore == fixture.t0)
        #expect(job.cycle == 0)

        let again = try queue.enqueue(fixture.request(kind: .replica), now: fixture.at(1))
        #expect(again == .existing(job))
        let other = try queue.enqueue(fixture.request("/data/other"), now: fixture.at(1))
        #expect(other.job.id != job.id)

        let claim = try #require(try queue.claim(dataDirectory: "/data/pg", now: fixture.at(2)))
        #expect(try queue.enqueue(fixture.request(), now: fixture.at(3)).job.id == job.id)  // running counts too
        try queue.finish(claim.lease, now: fixture.at(4))
        guard case .created(let next) = try queue.enqueue(fixture.request(), now: fixture.at(5)) else {
            Issue.record("a finished job must not block a new one")
            return
        }
        #expect(next.id != job.id)
    }

    @Test func claimTakesTheOldestDueJobAndRespectsNotBefore() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        var later = fixture.request("/data/later")
        later.notBefore = fixture.at(60)
        let laterJob = try queue.enqueue(later, now: fixture.t0).job
        let firstJob = try queue.enqueue(fixture.request("/data/one"), now: fixture.t0).job
        let secondJob = try queue.enqueue(fixture.request("/data/two"), now: fixture.at(1)).job

        let a = try #require(try queue.claim(now: fixture.at(10)))
        let b = try #require(try queue.claim(now: fixture.at(10)))
        #expect([a.job.id, b.job.id] == [firstJob.id, secondJob.id])
        #expect(try queue.claim(now: fixture.at(10)) == nil)
        let c = try #require(try queue.claim(now: fixture.at(60)))
        #expect(c.job.id == laterJob.id)

        #expect(a.job.state == .running)
        #expect(a.job.cycle == 1)
        #expect(a.job.owner == StoreFixture.ownerA)
        #expect(a.lease.expiresAt == fixture.at(40))
        #expect(a.job.leaseExpiresAt == fixture.at(40))
    }

    @Test func claimCanBeLimitedToOneDataDir() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        _ = try queue.enqueue(fixture.request("/data/a"), now: fixture.t0)
        let mine = try queue.enqueue(fixture.request("/data/b"), now: fixture.at(1)).job
        #expect(try queue.claim(dataDirectory: "/data/b", now: fixture.at(2))?.job.id == mine.id)
        #expect(try queue.claim(dataDirectory: "/data/b", now: fixture.at(2)) == nil)
    }

    @Test func renewFinishFailAndRequeueTellTheStory() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try queue.claim(now: fixture.at(1)))

        guard case .renewed(let renewed) = try queue.renewLease(claim.lease, now: fixture.at(20)) else {
            Issue.record("lease should renew")
            return
        }
        #expect(renewed.expiresAt == fixture.at(50))

        try queue.requeue(renewed, notBefore: fixture.at(80), error: "all methods failed; password=hunter2", now: fixture.at(21))
        var stored = try fixture.history.job(id: job.id)
        #expect(stored.state == .queued)
        #expect(stored.notBefore == fixture.at(80))
        #expect(stored.leaseExpiresAt == nil)
        #expect(stored.lastError == "all methods failed; password=******")
        #expect(try queue.claim(now: fixture.at(79)) == nil)

        let second = try #require(try queue.claim(now: fixture.at(80)))
        #expect(second.lease.cycle == 2)
        try queue.fail(second.lease, error: "bootstrap failed", now: fixture.at(90))
        stored = try fixture.history.job(id: job.id)
        #expect(stored.state == .failed)
        #expect(stored.finishedAt == fixture.at(90))
        #expect(stored.lastError == "bootstrap failed")

        let events = try fixture.history.detail(jobID: job.id).events.map(\.message)
        #expect(events.count == 5)
        #expect(events[0].hasPrefix("queued image job for /data/pg"))
        #expect(events[1].hasPrefix("claimed by pid 100 on host-a (pass 1)"))
        #expect(events[2].contains("requeued"))
        #expect(events[2].contains("hunter2") == false)
        #expect(events[4] == "failed: bootstrap failed")
    }

    @Test func aQueuedJobIsCancelledAtOnceAndARunningOneAtItsNextRenewal() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let queued = try queue.enqueue(fixture.request("/data/q"), now: fixture.t0).job
        guard case .cancelled(let cancelled) = try queue.cancel(jobID: queued.id, now: fixture.at(1)) else {
            Issue.record("a queued job is cancelled at once")
            return
        }
        #expect(cancelled.state == .cancelled)
        #expect(cancelled.finishedAt == fixture.at(1))
        #expect(try queue.claim(now: fixture.at(2)) == nil)

        _ = try queue.enqueue(fixture.request("/data/r"), now: fixture.at(3))
        let claim = try #require(try queue.claim(now: fixture.at(3)))
        guard case .requested(let requested) = try queue.cancel(jobID: claim.job.id, now: fixture.at(4)) else {
            Issue.record("a running job gets a cancel request")
            return
        }
        #expect(requested.state == .running)
        #expect(requested.cancelRequested)
        guard case .cancelRequested(let lease) = try queue.renewLease(claim.lease, now: fixture.at(5)) else {
            Issue.record("the worker sees the request at renewal")
            return
        }
        try queue.acknowledgeCancel(lease, now: fixture.at(6))
        let done = try fixture.history.job(id: claim.job.id)
        #expect(done.state == .cancelled)
        #expect(done.cancelRequested == false)
        #expect(try queue.cancel(jobID: claim.job.id, now: fixture.at(7)) == .alreadyFinished(done))

        let unknown = #expect(throws: JobStoreError.self) { try queue.cancel(jobID: 999, now: fixture.at(8)) }
        #expect(unknown?.code == .notFound)
    }

    @Test func retryQueuesAFailedJobAgainKeepingItsHistory() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try queue.claim(now: fixture.t0))
        _ = try fixture.history.openAttempt(claim.lease, AttemptStart(position: 0, method: "basebackup"), now: fixture.t0)
        #expect(try queue.retry(jobID: job.id, now: fixture.at(1)) == .notRetryable(try fixture.history.job(id: job.id)))
        let attempt = try fixture.history.attempts(jobID: job.id)[0].id
        try fixture.history.closeAttempt(attempt, claim.lease, AttemptEnd(outcome: .failed, exitCode: 1), now: fixture.at(2))
        try queue.fail(claim.lease, error: "exit 1", now: fixture.at(2))

        guard case .requeued(let again) = try queue.retry(jobID: job.id, now: fixture.at(3)) else {
            Issue.record("a failed job can be retried")
            return
        }
        #expect(again.state == .queued)
        #expect(again.finishedAt == nil)
        #expect(again.notBefore == fixture.at(3))
        #expect(again.attemptCount == 1)
        #expect(try queue.claim(now: fixture.at(3))?.lease.cycle == 2)
    }

    @Test func retryIsBlockedByAnotherUnfinishedJobOfTheDataDir() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let old = try queue.enqueue(fixture.request(), now: fixture.t0).job
        _ = try queue.cancel(jobID: old.id, now: fixture.at(1))
        let newer = try queue.enqueue(fixture.request(), now: fixture.at(2)).job
        #expect(try queue.retry(jobID: old.id, now: fixture.at(3)) == .blocked(by: newer))
    }

    @Test func aWorkerWhoseLeaseWasTakenOverChangesNothing() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let a = fixture.queue(StoreFixture.ownerA)
        let b = fixture.queue(StoreFixture.ownerB)
        let job = try a.enqueue(fixture.request(), now: fixture.t0).job
        let stale = try #require(try a.claim(now: fixture.t0))
        let staleAttempt = try fixture.history.openAttempt(stale.lease, AttemptStart(position: 0, method: "slow"), now: fixture.t0)

        // A stalls past its lease; reconcile (A still "alive") takes the job back and B claims it.
        let reconciled = try b.reconcile(isAlive: { _ in true }, now: fixture.at(31))
        #expect(reconciled.map(\.reason) == [.leaseExpired])
        let fresh = try #require(try b.claim(now: fixture.at(31)))
        #expect(fresh.job.id == job.id)
        let freshAttempt = try fixture.history.openAttempt(fresh.lease, AttemptStart(position: 0, method: "fast"), now: fixture.at(32))
        let before = try fixture.history.detail(jobID: job.id)

        #expect(try a.renewLease(stale.lease, now: fixture.at(33)) == .lost)
        let writes: [(String, () throws -> Void)] = [
            ("finish", { try a.finish(stale.lease, now: fixture.at(33)) }),
            ("fail", { try a.fail(stale.lease, error: "x", now: fixture.at(33)) }),
            ("requeue", { try a.requeue(stale.lease, notBefore: fixture.at(40), error: nil, now: fixture.at(33)) }),
            ("cancel", { try a.acknowledgeCancel(stale.lease, now: fixture.at(33)) }),
            ("open", { _ = try fixture.history.openAttempt(stale.lease, AttemptStart(position: 1, method: "m"), now: fixture.at(33)) }),
            (
                "close",
                { try fixture.history.closeAttempt(staleAttempt, stale.lease, AttemptEnd(outcome: .succeeded, exitCode: 0), now: fixture.at(33)) }
            ),
            (
                "close B's",
                { try fixture.history.closeAttempt(freshAttempt, stale.lease, AttemptEnd(outcome: .failed, exitCode: 1), now: fixture.at(33)) }
            ),
            (
                "started",
                { try fixture.history.attemptStarted(freshAttempt, stale.lease, process: AttemptProcess(pid: 1, processGroup: 1, startTime: 1)) }
            ),
        ]
        for (name, write) in writes {
            let error = #expect(throws: JobStoreError.self, "\(name)") { try write() }
            #expect(error?.code == .leaseLost, "\(name)")
        }
        // The same process claiming again in a later pass does not revive the old lease either.
        #expect(try fixture.history.detail(jobID: job.id) == before)
        #expect(before.job.owner == StoreFixture.ownerB)
        #expect(before.attempts.map(\.outcome) == [.interrupted, nil])
        try b.finish(fresh.lease, now: fixture.at(34))
        #expect(try fixture.history.job(id: job.id).state == .succeeded)
    }

    @Test func aStaleLeaseOfTheSameOwnerIsFencedByTheCycle() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        _ = try queue.enqueue(fixture.request(), now: fixture.t0)
        let first = try #require(try queue.claim(now: fixture.t0))
        _ = try queue.reconcile(isAlive: { _ in true }, now: fixture.at(31))
        let second = try #require(try queue.claim(now: fixture.at(31)))
        #expect(first.lease.owner == second.lease.owner)
        let error = #expect(throws: JobStoreError.self) { try queue.finish(first.lease, now: fixture.at(32)) }
        #expect(error?.code == .leaseLost)
        #expect(try queue.renewLease(second.lease, now: fixture.at(32)) != .lost)
    }
}
