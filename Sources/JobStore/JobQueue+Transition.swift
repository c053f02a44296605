import Foundation
import SQLite

extension JobQueue {
    /// Applies `transition` to the leased job inside a transaction; throws `.leaseLost` when the fence fails.
    static func apply(_ transition: JobTransition, _ lease: JobLease, _ tx: SQLiteTransaction, at: Int64) throws {
        switch transition {
        case .finish:
            try complete(lease, .succeeded, error: nil, event: "succeeded", tx, at: at)
        case .fail(let error):
            let masked = SecretMask.maskText(error)
            try complete(lease, .failed, error: masked, event: "failed: \(masked)", tx, at: at)
        case .acknowledgeCancel:
            try complete(lease, .cancelled, error: nil, event: "cancelled while running", tx, at: at)
        case .requeue(let notBefore, let error):
            let masked = error.map(SecretMask.maskText)
            let changed = try tx.execute(
                """
                UPDATE jobs SET state = 'queued', lease_expires_at = NULL, not_before = ?, last_error = coalesce(?, last_error),
                    updated_at = ? WHERE \(fence)
                """, arguments: [notBefore.milliseconds, masked, at] + fenceArguments(lease))
            guard changed == 1 else { throw lost(lease) }
            let reason = masked.map { ": \($0)" } ?? ""
            try event(tx, lease.jobID, at, "requeued, next pass not before \(rfc3339(notBefore))\(reason)")
        }
    }

    private static func complete(_ lease: JobLease, _ state: JobState, error: String?, event message: String, _ tx: SQLiteTransaction, at: Int64)
        throws
    {
        let changed = try tx.execute(
            """
            UPDATE jobs SET state = ?, lease_expires_at = NULL, cancel_requested = 0, finished_at = ?, updated_at = ?,
                last_error = coalesce(?, last_error) WHERE \(fence)
            """, arguments: [state.rawValue, at, at, error] + fenceArguments(lease))
        guard changed == 1 else { throw lost(lease) }
        try event(tx, lease.jobID, at, message)
    }
}
