/// The hook process an attempt runs, as recorded by `AuditHistory.attemptStarted`: enough to find and kill its
/// process group after a crash without hitting a reused pid.
public struct AttemptProcess: Sendable, Hashable {
    public var pid: Int32
    /// The process group (the hook runs as its leader, so usually equal to `pid`).
    public var processGroup: Int32
    /// Field 22 of `/proc/<pid>/stat` when the hook started.
    public var startTime: Int64

    public init(pid: Int32, processGroup: Int32, startTime: Int64) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTime = startTime
    }
}
