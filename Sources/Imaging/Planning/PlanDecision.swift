import DCS
import JobStore
import Postgres

/// The decision `sidecar plan` reports: what the next cycle would do with this data dir state, unfinished job and view
/// of the DCS. Pure: no I/O, the clone source picked deterministically (the first candidate by name).
public struct PlanDecision: Sendable, Equatable {
    /// `nothing`, `refused`, `bootstrap`, `clone`, `clone_without_leader` or `wait`.
    public var action: String
    /// One line: the event the job would record, or why nothing happens.
    public var text: String
    /// The imaging decision, when a job would decide.
    public var decision: ImagingDecision?

    /// Decides as the cycle and the executor would.
    ///
    /// - Parameters:
    ///   - state: the data dir's state (`nil` when it could not be read).
    ///   - job: the unfinished imaging job's kind and options, if any.
    ///   - view: the DCS read, `nil` when it was unreachable.
    public static func make(state: DataDirectoryState?, job: (kind: JobKind, options: JobOptions)?, view: ClusterView?, decider: ImagingDecider)
        -> PlanDecision
    {
        guard let state else { return PlanDecision(action: "refused", text: "the data dir cannot be read", decision: nil) }
        if state == .foreign && job == nil {
            return PlanDecision(action: "refused", text: DataDirectoryState.foreignAdvice, decision: nil)
        }
        if state == .valid && job == nil {
            return PlanDecision(action: "nothing", text: "the data dir is a valid cluster: nothing to image (verify and publish only)", decision: nil)
        }
        guard let view else {
            return PlanDecision(
                action: "wait", text: "the DCS is unreachable: the job waits (no bootstrap race, no wipe without it)", decision: nil)
        }
        let decision: ImagingDecision
        if job?.options.fromLeader == true {
            decision = decider.decideFromLeader(view)
        } else if job?.kind == .replica {
            var replicaOnly = decider
            replicaOnly.hasBootstrap = false
            decision = replicaOnly.decide(view) { _ in 0 }
        } else {
            decision = decider.decide(view) { _ in 0 }
        }
        let action: String
        switch decision {
        case .raceForBootstrap: action = "bootstrap"
        case .clone: action = "clone"
        case .cloneWithoutLeader: action = "clone_without_leader"
        case .wait: action = "wait"
        }
        return PlanDecision(action: action, text: decision.event, decision: decision)
    }
}
