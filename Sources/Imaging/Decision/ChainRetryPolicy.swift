/// When a failed replica chain pass runs again, and when sidecar gives up (SPEC §5.5): pure arithmetic.
public struct ChainRetryPolicy: Sendable, Equatable {
    /// `loop_wait`: the wait after the first failed pass.
    public var loopWait: Duration
    /// `sidecar.replica.backoff_max`: the cap of the doubling wait; `nil` or ≤ `loopWait` means no growth.
    public var backoffMax: Duration?
    /// `sidecar.replica.max_cycles`: give up after this many failed passes; `nil` means never.
    public var maxCycles: Int?

    public init(loopWait: Duration, backoffMax: Duration? = nil, maxCycles: Int? = nil) {
        self.loopWait = loopWait
        self.backoffMax = backoffMax
        self.maxCycles = maxCycles
    }

    /// What to do after `failedPasses` passes (1 after the first) have all failed.
    public enum Next: Sendable, Equatable {
        /// Run the chain again after this wait.
        case retry(after: Duration)
        /// Stop: the job fails with this message.
        case giveUp(String)
    }

    public func next(afterFailedPasses failedPasses: Int) -> Next {
        if let maxCycles, failedPasses >= maxCycles {
            let passes = failedPasses == 1 ? "1 pass" : "\(failedPasses) passes"
            return .giveUp(
                "every replica method failed in \(passes) (sidecar.replica.max_cycles = \(maxCycles)); "
                    + "fix the methods, then run 'sidecar jobs retry'")
        }
        guard let backoffMax, backoffMax > loopWait else { return .retry(after: loopWait) }
        var wait = loopWait
        for _ in 1..<max(failedPasses, 1) {
            wait = wait * 2
            if wait >= backoffMax { return .retry(after: backoffMax) }
        }
        return .retry(after: min(wait, backoffMax))
    }
}
