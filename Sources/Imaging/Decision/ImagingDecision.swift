import DCS

/// What running an `image` job does next, decided from one fresh view of the DCS (SPEC §3).
public enum ImagingDecision: Sendable, Equatable {
    /// Rule 1: race to create `initialize` = `""`; the winner bootstraps.
    case raceForBootstrap
    /// Rule 2: clone from a member (the leader, or a running replica tagged `clonefrom`) with these chain methods.
    case clone(source: Member, fromLeader: Bool, methods: [String])
    /// Rule 3: no leader, but some methods can run without one (`no_leader`): run only those, connstring `""`.
    case cloneWithoutLeader(methods: [String])
    /// Rule 4: nothing can be done now; the job stays queued for the next cycle.
    case wait(reason: String)

    /// The event recorded in the job's history for this decision, in Patroni's words.
    public var event: String {
        switch self {
        case .raceForBootstrap: "trying to bootstrap a new cluster"
        case .clone(let source, let fromLeader, _):
            "trying to bootstrap from \(fromLeader ? "leader" : "replica") '\(source.name)'"
        case .cloneWithoutLeader: "trying to bootstrap (without leader)"
        case .wait(let reason): reason
        }
    }
}
