/// What ``Psql/recoveryStatus(runner:)`` found.
public struct RecoveryStatus: Sendable, Equatable {
    public var inRecovery: Bool
    /// `pg_last_wal_replay_lsn()`, e.g. `0/3000060`; `nil` outside recovery on a never-recovered server.
    public var replayLocation: String?
    /// `pg_stat_wal_receiver.status`, e.g. `streaming`; `nil` when no WAL receiver runs.
    public var walReceiver: String?
    /// Replay is paused, e.g. at a recovery target with `recovery_target_action: pause` (needs `hot_standby` on:
    /// with it off PostgreSQL turns `pause` into a shutdown).
    public var replayPaused: Bool

    public init(inRecovery: Bool, replayLocation: String?, walReceiver: String?, replayPaused: Bool = false) {
        self.inRecovery = inRecovery
        self.replayLocation = replayLocation
        self.walReceiver = walReceiver
        self.replayPaused = replayPaused
    }
}
