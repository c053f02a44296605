import Foundation
import JobStore
import Testing

@Suite struct StatisticsTests {
    @Test func countsJobsAndAttemptsAndTheLastSuccess() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        #expect(try fixture.history.lastSuccess() == nil)
        _ = try queue.enqueue(fixture.request("/d/1"), now: fixture.t0)
        _ = try queue.enqueue(fixture.request("/d/2", kind: .replica), now: fixture.t0)
        _ = try queue.enqueue(fixture.request("/d/3", kind: .replica), now: fixture.t0)
        let claim = try #require(try queue.claim(dataDirectory: "/d/1", opening: AttemptStart(position: 0, method: "basebackup"), now: fixture.t0))
        try fixture.history.closeAttempt(claim.attemptID!, claim.lease, AttemptEnd(outcome: .failed, exitCode: 1), now: fixture.at(2))
        let second = try fixture.history.openAttempt(claim.lease, AttemptStart(position: 1, method: "wal_e"), now: fixture.at(2))
        try fixture.history.closeAttempt(second, claim.lease, AttemptEnd(outcome: .succeeded, exitCode: 0), then: .finish, now: fixture.at(7))

        #expect(
            try fixture.history.jobCounts() == [
                AuditHistory.JobCount(kind: .image, state: .succeeded, count: 1),
                AuditHistory.JobCount(kind: .replica, state: .queued, count: 2),
            ])
        #expect(
            try fixture.history.attemptCounts() == [
                AuditHistory.AttemptCount(method: "basebackup", outcome: .failed, count: 1, totalSeconds: 2),
                AuditHistory.AttemptCount(method: "wal_e", outcome: .succeeded, count: 1, totalSeconds: 5),
            ])
        #expect(try fixture.history.lastSuccess() == fixture.at(7))
    }
}
