import Foundation
import SQLite

extension JobQueue {
    /// Takes back every running job whose owner is gone (`isAlive` says no) or whose lease has run out: closes
    /// its open attempt as `interrupted` and puts the job back in the queue (or ends it `cancelled` when a cancel
    /// was requested). Returns what it did, with each recorded hook process so the caller can kill its group.
    /// Throws `JobStoreError` when the database cannot be written.
    ///
    /// Call it at daemon start and every cycle. `isAlive` runs inside the write transaction: keep it quick
    /// (the default reads `/proc`). Jobs held by `sparing` (the caller's own identity) are left alone even when their
    /// lease ran out: the caller is their worker, and a late renewal of its own lease still succeeds.
    public func reconcile(
        isAlive: (JobOwner) -> Bool = ProcessIdentity.isAlive, sparing: JobOwner? = nil, now: Date = Date()
    ) throws(JobStoreError) -> [Reconciliation] {
        let at = now.milliseconds
        return try database.write("reconcile") { tx -> [Reconciliation] in
            let running = try tx.query(
                "SELECT \(Job.columns) FROM \(JobSchema.unfinishedJobs) WHERE \(JobSchema.unfinishedCondition) AND state = 'running' ORDER BY id"
            ).map(Job.init(row:))
            var done: [Reconciliation] = []
            for job in running {
                guard let owner = job.owner, let leaseEnd = job.leaseExpiresAt, owner != sparing else { continue }
                let reason: Reconciliation.Reason
                if !isAlive(owner) {
                    reason = .ownerGone
                } else if leaseEnd.milliseconds <= at {
                    reason = .leaseExpired
                } else {
                    continue
                }
                done.append(try reconcile(job, owner: owner, reason: reason, at: at, tx))
            }
            return done
        }
    }

    private func reconcile(
        _ job: Job, owner: JobOwner, reason: Reconciliation.Reason, at: Int64, _ tx: SQLiteTransaction
    ) throws -> Reconciliation {
        var attemptID: Int64?
        var process: AttemptProcess?
        if let open = try tx.queryFirst(
            "SELECT id, hook_pid, hook_pgid, hook_start_time FROM attempts WHERE job_id = ? AND finished_at IS NULL", job.id)
        {
            attemptID = try open[0]
            if let pid: Int32 = try open[1], let pgid: Int32 = try open[2], let startTime: Int64 = try open[3] {
                process = AttemptProcess(pid: pid, processGroup: pgid, startTime: startTime)
            }
            try tx.execute(
                """
                UPDATE attempts SET finished_at = max(?, started_at), outcome = 'interrupted', detail = ?
                WHERE id = ? AND finished_at IS NULL
                """, at, "the worker (\(owner)) went away: \(reason.rawValue)", attemptID)
        }
        let why = reason == .ownerGone ? "is gone" : "let its lease expire"
        let interrupted = attemptID.map { "; attempt \($0) interrupted" } ?? ""
        if job.cancelRequested {
            try tx.execute(
                """
                UPDATE jobs SET state = 'cancelled', lease_expires_at = NULL, cancel_requested = 0, finished_at = ?, updated_at = ?
                WHERE id = ?
                """, at, at, job.id)
            try Self.event(tx, job.id, at, "owner \(owner) \(why)\(interrupted); cancelled as requested")
        } else {
            try tx.execute(
                "UPDATE jobs SET state = 'queued', lease_expires_at = NULL, not_before = ?, updated_at = ? WHERE id = ?", at, at, job.id)
            try Self.event(tx, job.id, at, "owner \(owner) \(why)\(interrupted); requeued")
        }
        return Reconciliation(
            job: try Job.fetch(job.id, in: tx), previousOwner: owner, reason: reason, interruptedAttemptID: attemptID, hookProcess: process)
    }
}
