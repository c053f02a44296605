/// What the `initialize` race of SPEC §3 rule 1 produced.
public enum RaceOutcome: Sendable, Equatable {
    /// This node created `initialize` = `""`: it bootstraps.
    case won
    /// Another node got there first: re-decide next cycle.
    case lost

    /// The event recorded in the job's history.
    public var event: String {
        switch self {
        case .won: "acquired initialize lock"
        case .lost: "failed to acquire initialize lock"
        }
    }
}
