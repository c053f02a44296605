/// What `JobQueue.reconcile` did to one running job whose owner was gone or whose lease had run out.
public struct Reconciliation: Sendable, Equatable {
    /// Why the job was taken back.
    public enum Reason: String, Sendable {
        /// The owner process is gone (dead pid, reused pid, or another boot).
        case ownerGone = "owner_gone"
        /// The lease ran out without renewal.
        case leaseExpired = "lease_expired"
    }

    /// The job after reconciling: `queued`, or `cancelled` when a cancel had been requested.
    public var job: Job
    /// Who had held it.
    public var previousOwner: JobOwner
    public var reason: Reason
    /// The attempt that was open and is now closed as `interrupted`.
    public var interruptedAttemptID: Int64?
    /// The hook process that attempt recorded (pid, process group, start time): kill its group if a process with
    /// that pid and start time still runs (`ProcessIdentity.isRunning`).
    public var hookProcess: AttemptProcess?
}
