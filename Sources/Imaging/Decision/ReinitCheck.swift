import DCS
import Postgres

/// Whether `sidecar reinit` may queue a `replica` job (SPEC §3), decided from one view of the DCS: pure, no I/O.
public struct ReinitCheck: Sendable, Equatable {
    /// What the check found.
    public enum Verdict: Sendable, Equatable {
        /// Queue the job; the decision names the source the job would clone from now.
        case allowed(ImagingDecision)
        /// Refused, with the reason the operator reads.
        case refused(String)
    }

    /// `--from-leader`: the leader and `basebackup` only.
    public var fromLeader: Bool
    /// `--force`: queue even when no clone source exists now (the job waits for one).
    public var force: Bool

    public init(fromLeader: Bool, force: Bool) {
        self.fromLeader = fromLeader
        self.force = force
    }

    /// Refuses on the leader (always: sidecar does no failover) and, unless `force`, when the job could not clone now.
    public func verdict(_ view: ClusterView, decider: ImagingDecider) -> Verdict {
        if view.leader == decider.node {
            return .refused(
                "this node '\(decider.node)' holds the leader key: reinit would destroy the primary, and sidecar does no failover")
        }
        let decision: ImagingDecision
        if fromLeader {
            decision = decider.decideFromLeader(view)
        } else {
            var replicaOnly = decider
            replicaOnly.hasBootstrap = false
            decision = replicaOnly.decide(view)
        }
        if case .wait(let reason) = decision, !force {
            return .refused("no clone source: \(reason); pass --force to queue the job anyway (it waits for a source)")
        }
        return .allowed(decision)
    }
}
