import Foundation

/// A worker's hold on a running job, returned by `JobQueue.claim`. Every worker write names it: the write changes
/// nothing unless the job is still running under this owner in this cycle (the fence).
public struct JobLease: Sendable, Hashable {
    /// The job.
    public var jobID: Int64
    /// Who holds it.
    public var owner: JobOwner
    /// The job's cycle count at the claim: a fencing token that changes with every claim, so a stale worker of the
    /// same process cannot write into a later pass.
    public var cycle: Int
    /// When the lease runs out unless renewed.
    public var expiresAt: Date

    public init(jobID: Int64, owner: JobOwner, cycle: Int, expiresAt: Date) {
        self.jobID = jobID
        self.owner = owner
        self.cycle = cycle
        self.expiresAt = expiresAt
    }
}
