import Foundation
import SQLite

extension JobQueue {
    /// What `cancel` did.
    public enum Cancellation: Sendable, Equatable {
        /// The job was queued and is now `cancelled`.
        case cancelled(Job)
        /// The job is running; its worker sees the request at its next lease renewal and stops.
        case requested(Job)
        /// The job had already finished; nothing changed.
        case alreadyFinished(Job)
    }

    /// Cancels a job: a queued one at once, a running one by a flag its worker sees at the next lease renewal.
    /// Throws `JobStoreError` (`.notFound` for an unknown id).
    public func cancel(jobID: Int64, now: Date = Date()) throws(JobStoreError) -> Cancellation {
        try database.write("cancel") { tx -> Cancellation in
            let job = try Job.fetch(jobID, in: tx)
            let at = now.milliseconds
            switch job.state {
            case .queued:
                try tx.execute(
                    "UPDATE jobs SET state = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ? AND state = 'queued'", at, at, jobID)
                try Self.event(tx, jobID, at, "cancelled before it ran")
                return .cancelled(try Job.fetch(jobID, in: tx))
            case .running:
                if !job.cancelRequested {
                    try tx.execute("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ? AND state = 'running'", at, jobID)
                    try Self.event(tx, jobID, at, "cancel requested; the worker stops at its next lease renewal")
                }
                return .requested(try Job.fetch(jobID, in: tx))
            case .succeeded, .failed, .cancelled:
                return .alreadyFinished(job)
            }
        }
    }

    /// What `retry` did.
    public enum Retry: Sendable, Equatable {
        /// The failed or cancelled job is queued again (its history stays).
        case requeued(Job)
        /// Only failed or cancelled jobs can be retried; this one is queued, running or succeeded.
        case notRetryable(Job)
        /// The data dir has another unfinished job; retrying would make a second one.
        case blocked(by: Job)
    }

    /// Queues a failed or cancelled job again, keeping its attempts and events. Throws `JobStoreError`
    /// (`.notFound` for an unknown id).
    public func retry(jobID: Int64, now: Date = Date()) throws(JobStoreError) -> Retry {
        try database.write("retry") { tx -> Retry in
            let job = try Job.fetch(jobID, in: tx)
            guard job.state == .failed || job.state == .cancelled else { return .notRetryable(job) }
            if let row = try tx.queryFirst(
                "SELECT \(Job.columns) FROM jobs WHERE data_dir = ? AND state IN ('queued', 'running')", job.dataDirectory)
            {
                return .blocked(by: try Job(row: row))
            }
            let at = now.milliseconds
            try tx.execute(
                "UPDATE jobs SET state = 'queued', finished_at = NULL, not_before = ?, updated_at = ? WHERE id = ?", at, at, jobID)
            try Self.event(tx, jobID, at, "retried: queued again after it \(job.state == .failed ? "failed" : "was cancelled")")
            return .requeued(try Job.fetch(jobID, in: tx))
        }
    }
}
