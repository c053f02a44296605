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
}
