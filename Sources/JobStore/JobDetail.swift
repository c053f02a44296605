/// One job with its whole story, for `sidecar jobs show`.
public struct JobDetail: Sendable, Equatable {
    public var job: Job
    /// Oldest first.
    public var events: [JobEvent]
    /// Oldest first.
    public var attempts: [Attempt]
}
