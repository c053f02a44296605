import Foundation

/// One imaging request as stored (SPEC §7).
public struct Job: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var kind: JobKind
    public var source: JobSource
    /// The cluster (Patroni's `scope`).
    public var scope: String
    /// The data dir to image.
    public var dataDirectory: String
    public var state: JobState
    public var options: JobOptions
    /// The job is not claimed before this time.
    public var notBefore: Date
    /// How many times the job was claimed (one chain pass each).
    public var cycle: Int
    /// The process that holds or last held the job.
    public var owner: JobOwner?
    /// While running: when the owner's lease runs out.
    public var leaseExpiresAt: Date?
    /// A cancel was asked for while the job ran; the worker sees it at its next lease renewal.
    public var cancelRequested: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// Set exactly when the state is final.
    public var finishedAt: Date?
    /// The last failure, secrets masked.
    public var lastError: String?
    /// How many attempts the job has (filled by queries that list jobs).
    public var attemptCount: Int
}
