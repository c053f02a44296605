import Foundation
import JobStore
import Testing

/// The one-commit paths: claim with its first attempt, close an attempt together with the job's transition.
@Suite struct CombinedWriteTests {
    @Test func claimOpeningAnAttemptThenCloseFinishingTheJob() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(
            try queue.claim(opening: AttemptStart(position: 0, method: "basebackup", argv: ["--password=x"]), now: fixture.at(1)))
        let attemptID = try #require(claim.attemptID)
        var detail = try fixture.history.detail(jobID: job.id)
        #expect(detail.job.state == .running)
        #expect(detail.attempts.map(\.id) == [attemptID])
        #expect(detail.attempts[0].argv == ["--password=******"])
        #expect(detail.attempts[0].cycle == 1)

        try fixture.history.closeAttempt(attemptID, claim.lease, AttemptEnd(outcome: .succeeded, exitCode: 0), then: .finish, now: fixture.at(5))
        detail = try fixture.history.detail(jobID: job.id)
        #expect(detail.job.state == .succeeded)
        #expect(detail.job.finishedAt == fixture.at(5))
        #expect(detail.attempts[0].outcome == .succeeded)
        #expect(detail.events.suffix(2).map(\.message) == ["attempt \(attemptID): succeeded", "succeeded"])
    }

    @Test func closeWithRequeueAndFail() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let first = try #require(try queue.claim(opening: AttemptStart(position: 0, method: "m"), now: fixture.t0))
        try fixture.history.closeAttempt(
            first.attemptID!, first.lease, AttemptEnd(outcome: .failed, exitCode: 2),
            then: .requeue(notBefore: fixture.at(10), error: "pass 1 failed"),
            now: fixture.at(1))
        #expect(try fixture.history.job(id: job.id).state == .queued)
        #expect(try fixture.history.job(id: job.id).lastError == "pass 1 failed")
        let second = try #require(try queue.claim(opening: AttemptStart(position: 0, method: "m"), now: fixture.at(10)))
        try fixture.history.closeAttempt(
            second.attemptID!, second.lease, AttemptEnd(outcome: .timedOut), then: .fail(error: "gave up"), now: fixture.at(11))
        let done = try fixture.history.detail(jobID: job.id)
        #expect(done.job.state == .failed)
        #expect(done.attempts.map(\.outcome) == [.failed, .timedOut])
        #expect(done.attempts.map(\.cycle) == [1, 2])
    }

    @Test func aStaleCombinedCloseChangesNeitherAttemptNorJob() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let a = fixture.queue(StoreFixture.ownerA)
        let b = fixture.queue(StoreFixture.ownerB)
        let job = try a.enqueue(fixture.request(), now: fixture.t0).job
        let stale = try #require(try a.claim(opening: AttemptStart(position: 0, method: "m"), now: fixture.t0))
        _ = try b.reconcile(isAlive: { $0 != StoreFixture.ownerA }, now: fixture.at(1))
        let fresh = try #require(try b.claim(opening: AttemptStart(position: 0, method: "m"), now: fixture.at(2)))
        let before = try fixture.history.detail(jobID: job.id)
        let error = #expect(throws: JobStoreError.self) {
            try fixture.history.closeAttempt(fresh.attemptID!, stale.lease, AttemptEnd(outcome: .succeeded, exitCode: 0), then: .finish)
        }
        #expect(error?.code == .leaseLost)
        #expect(try fixture.history.detail(jobID: job.id) == before)
    }

    @Test func closeOpeningTheNextRecordsBothInOneStep() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try queue.claim(opening: AttemptStart(position: 0, method: "a"), now: fixture.at(1)))
        let first = try #require(claim.attemptID)
        let end = AttemptEnd(outcome: .failed, exitCode: 1, stdoutTail: Array("out".utf8), outputBytes: 3, finishedAt: fixture.at(2))
        let second = try fixture.history.closeAttempt(
            first, claim.lease, end, opening: AttemptStart(position: 1, method: "b", argv: ["b", "--password=x"]), now: fixture.at(3))
        let detail = try fixture.history.detail(jobID: job.id)
        #expect(detail.attempts.map(\.id) == [first, second])
        #expect(detail.attempts[0].outcome == .failed)
        #expect(detail.attempts[0].exitCode == 1)
        #expect(detail.attempts[0].stdoutTail == Array("out".utf8))
        #expect(detail.attempts[0].finishedAt == fixture.at(2))  // when the method ended, not when it was written
        #expect(detail.attempts[1].outcome == nil)
        #expect(detail.attempts[1].startedAt == fixture.at(3))
        #expect(detail.attempts[1].argv == ["b", "--password=******"])
        #expect(
            detail.events.suffix(2).map(\.message) == [
                "attempt \(first): failed (exit code 1)", "attempt \(second): b (position 1, pass 1)",
            ])
    }

    @Test func closeOpeningTheNextAfterReconcileChangesNothing() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let a = fixture.queue(StoreFixture.ownerA)
        let job = try a.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try a.claim(opening: AttemptStart(position: 0, method: "a"), now: fixture.t0))
        // The worker died between its hook's end and the combined commit: reconcile closes the attempt as interrupted.
        let done = try fixture.queue(StoreFixture.ownerB).reconcile(isAlive: { $0 != StoreFixture.ownerA }, now: fixture.at(1))
        #expect(done.map(\.interruptedAttemptID) == [claim.attemptID])
        let before = try fixture.history.detail(jobID: job.id)
        #expect(before.attempts.map(\.outcome) == [.interrupted])
        let error = #expect(throws: JobStoreError.self) {
            _ = try fixture.history.closeAttempt(
                claim.attemptID!, claim.lease, AttemptEnd(outcome: .failed, exitCode: 1), opening: AttemptStart(position: 1, method: "b"),
                now: fixture.at(2))
        }
        #expect(error?.code == .leaseLost)
        #expect(try fixture.history.detail(jobID: job.id) == before)
    }

    @Test func aClaimedAttemptReconciledAfterTheCombinedCommitKeepsTheEarlierEnd() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let a = fixture.queue(StoreFixture.ownerA)
        let job = try a.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try a.claim(opening: AttemptStart(position: 0, method: "a"), now: fixture.t0))
        let second = try fixture.history.closeAttempt(
            claim.attemptID!, claim.lease, AttemptEnd(outcome: .failed, exitCode: 4), opening: AttemptStart(position: 1, method: "b"),
            now: fixture.at(1))
        try fixture.history.attemptStarted(second, claim.lease, process: AttemptProcess(pid: 4242, processGroup: 4242, startTime: 7))
        let done = try fixture.queue(StoreFixture.ownerB).reconcile(isAlive: { $0 != StoreFixture.ownerA }, now: fixture.at(2))
        #expect(done.map(\.interruptedAttemptID) == [second])
        #expect(done.map(\.hookProcess) == [AttemptProcess(pid: 4242, processGroup: 4242, startTime: 7)])
        let attempts = try fixture.history.attempts(jobID: job.id)
        #expect(attempts.map(\.outcome) == [.failed, .interrupted])
        #expect(attempts.map(\.exitCode) == [4, nil])
    }
}
