/// What ``DataDirectory/moveAside(keepFailed:stateDirectory:)`` did: a value to record, not an error.
public enum MoveAsideResult: Sendable, Equatable {
    /// Renamed to this path (older failed copies shifted to `.failed.1` ...).
    case moved(to: String)
    /// Could not or should not be renamed, so it was wiped instead; the reason says why.
    case wiped(reason: String)
    /// There was no data dir to move.
    case absent
}
