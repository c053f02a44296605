import Foundation
import Testing

@testable import JobStore

@Suite struct ReconcileTests {
    @Test func aJobWhoseOwnerIsGoneIsRequeuedWithItsAttemptInterrupted() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        let claim = try #require(try queue.claim(now: fixture.t0))
        let attempt = try fixture.history.openAttempt(claim.lease, AttemptStart(position: 0, method: "basebackup"), now: fixture.at(1))
        let hook = AttemptProcess(pid: 4242, processGroup: 4242, startTime: 777)
        try fixture.history.attemptStarted(attempt, claim.lease, process: hook, now: fixture.at(1))

        // Lease still valid and owner alive: nothing to do.
        #expect(try queue.reconcile(isAlive: { _ in true }, now: fixture.at(5)).isEmpty)

        let done = try queue.reconcile(isAlive: { $0 != StoreFixture.ownerA }, now: fixture.at(5))
        #expect(done.count == 1)
        #expect(done.first?.reason == .ownerGone)
        #expect(done.first?.previousOwner == StoreFixture.ownerA)
        #expect(done.first?.interruptedAttemptID == attempt)
        #expect(done.first?.hookProcess == hook)
        #expect(done.first?.job.state == .queued)
        #expect(done.first?.job.notBefore == fixture.at(5))

        let detail = try fixture.history.detail(jobID: job.id)
        #expect(detail.attempts.first?.outcome == .interrupted)
        #expect(detail.attempts.first?.finishedAt == fixture.at(5))
        #expect(detail.events.last?.message.contains("requeued") == true)
        // Done once: the job is queued now.
        #expect(try queue.reconcile(isAlive: { _ in false }, now: fixture.at(6)).isEmpty)
    }

    @Test func aJobWithoutAnOpenAttemptIsRequeuedAndReportsNoHook() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        _ = try queue.enqueue(fixture.request(), now: fixture.t0)
        _ = try #require(try queue.claim(now: fixture.t0))
        let done = try queue.reconcile(isAlive: { _ in true }, now: fixture.at(30))
        #expect(done.map(\.reason) == [.leaseExpired])
        #expect(done.first?.interruptedAttemptID == nil)
        #expect(done.first?.hookProcess == nil)
    }

    @Test func theCallersOwnJobIsSparedEvenWithItsLeaseRunOut() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        _ = try queue.enqueue(fixture.request(), now: fixture.t0)
        let claim = try #require(try queue.claim(now: fixture.t0))
        #expect(try queue.reconcile(isAlive: { _ in true }, sparing: claim.lease.owner, now: fixture.at(30)).isEmpty)
        // Its worker's late renewal still holds the job.
        #expect(try queue.renewLease(claim.lease, now: fixture.at(31)) != .lost)
        #expect(try queue.reconcile(isAlive: { _ in true }, now: fixture.at(90)).map(\.reason) == [.leaseExpired])
    }

    @Test func aCancelRequestedJobOfAGoneOwnerEndsCancelled() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        let job = try queue.enqueue(fixture.request(), now: fixture.t0).job
        _ = try #require(try queue.claim(now: fixture.t0))
        _ = try queue.cancel(jobID: job.id, now: fixture.at(1))
        let done = try queue.reconcile(isAlive: { _ in false }, now: fixture.at(2))
        #expect(done.first?.job.state == .cancelled)
        #expect(done.first?.job.finishedAt == fixture.at(2))
    }

    @Test func theDefaultLivenessCheckKnowsThisProcessAndAGoneOne() throws {
        let me = ProcessIdentity.currentOwner()
        #expect(me.pid == getpid())
        #expect(me.bootID.isEmpty == false)
        #expect(me.startTime > 0)
        #expect(ProcessIdentity.isAlive(me))
        var reused = me
        reused.startTime += 1
        #expect(ProcessIdentity.isAlive(reused) == false)
        var otherBoot = me
        otherBoot.bootID = "another-boot"
        #expect(ProcessIdentity.isAlive(otherBoot) == false)
        var otherHost = me
        otherHost.host = "elsewhere"
        otherHost.pid = 999_999
        #expect(ProcessIdentity.isAlive(otherHost))  // unknown: the lease decides
    }

    @Test func startTimeIsCountedFromTheLastParenthesis() {
        let fields = (3...30).map { $0 == 22 ? "123456" : "\($0)" }
        let stat = "42 (a (weird) name) " + ["S"].joined() + " " + fields.dropFirst().joined(separator: " ")
        #expect(ProcessIdentity.parseStartTime(stat: stat) == 123456)
        let zombie = "42 (gone) Z " + fields.dropFirst().joined(separator: " ")
        #expect(ProcessIdentity.parseStartTime(stat: zombie) == nil)
    }
}
