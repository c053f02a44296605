/// What `AuditHistory.prune` removed.
public struct PruneResult: Sendable, Equatable {
    /// Finished jobs deleted (with their attempts and events).
    public var jobs: Int
    /// Attempts deleted with them.
    public var attempts: Int
    /// The log files those attempts named, for the caller to delete.
    public var logPaths: [String]
    /// The ids of the deleted jobs (their log directories can go too).
    public var jobIDs: [Int64]
}
