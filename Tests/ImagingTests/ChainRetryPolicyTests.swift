import Testing

@testable import Imaging

@Suite struct ChainRetryPolicyTests {
    @Test func withoutBackoffMaxEveryPassWaitsLoopWait() {
        let policy = ChainRetryPolicy(loopWait: .seconds(10))
        for pass in 1...5 { #expect(policy.next(afterFailedPasses: pass) == .retry(after: .seconds(10))) }
    }

    @Test func waitDoublesUpToBackoffMax() {
        let policy = ChainRetryPolicy(loopWait: .seconds(10), backoffMax: .seconds(60))
        let waits = (1...6).map { policy.next(afterFailedPasses: $0) }
        #expect(waits == [10, 20, 40, 60, 60, 60].map { .retry(after: .seconds($0)) })
    }

    @Test func maxCyclesGivesUpWithAClearMessage() {
        let policy = ChainRetryPolicy(loopWait: .seconds(1), maxCycles: 3)
        #expect(policy.next(afterFailedPasses: 2) == .retry(after: .seconds(1)))
        guard case .giveUp(let message) = policy.next(afterFailedPasses: 3) else {
            Issue.record("expected giveUp")
            return
        }
        #expect(message.contains("3 passes"))
        #expect(message.contains("sidecar.replica.max_cycles = 3"))
    }
}
