import Foundation
import JobStore

/// `sidecar reinit` and `POST /reinit` (SPEC §3): enqueue a `replica` job for this node's data dir. The job, when it
/// runs, stops the local instance (`pg_ctl stop -m fast`) and runs the chain; `from_leader` clones from the leader
/// with `basebackup` only. Whether the request is allowed now (not on the leader, a clone source exists) is
/// ``ReinitCheck``'s decision.
public enum ReinitRequest {
    /// Enqueues the `replica` job, or returns the unfinished job of the data dir (at most one per data dir).
    /// Throws `JobStoreError` when the job database cannot be written.
    public static func enqueue(
        _ configuration: ImagingConfiguration, queue: JobQueue, fromLeader: Bool, force: Bool = false, source: JobSource, now: Date = Date()
    ) throws(JobStoreError) -> JobQueue.Enqueued {
        let request = JobRequest(
            kind: .replica, source: source, scope: configuration.scope, dataDirectory: configuration.postgres.dataDirectory,
            options: JobOptions(fromLeader: fromLeader, force: force))
        return try queue.enqueue(request, now: now)
    }
}
