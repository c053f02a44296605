/// What ``Psql/recoveryStatus(runner:)`` found.
public struct RecoveryStatus: Sendable, Equatable {
    public var inRecovery: Bool
    /// `pg_last_wal_replay_lsn()`, e.g. `0/3000060`; `nil` outside recovery on a never-recovered server.
    public var replayLocation: String?
    /// `pg_stat_wal_receiver.status`, e.g. `streaming`; `nil` when no WAL receiver runs.
    public var walReceiver: String?

    public init(inRecovery: Bool, replayLocation: String?, walReceiver: String?) {
        self.inRecovery = inRecovery
        self.replayLocation = replayLocation
        self.walReceiver = walReceiver
    }
}
