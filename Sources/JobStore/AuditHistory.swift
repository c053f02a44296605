import Foundation
import SQLite
import Synchronization

/// The audit side of the job database: attempts (what each hook run did), events, and the queries and pruning
/// over them.
///
/// Attempt writes are worker writes: they take the `JobLease` and change nothing unless the job still runs under
/// it, throwing `JobStoreError` with code `.leaseLost` then. Secrets are masked (`SecretMask`) before anything
/// is stored; output tails are stored as the raw bytes the hook wrote.
public final class AuditHistory: Sendable {
    /// The database.
    public let database: JobDatabase
    /// `attemptProgress` writes at most once per this interval per attempt.
    public let progressInterval: Duration
    /// Attempt id → when its progress was last written (milliseconds), for the throttle.
    private let progressWritten = Mutex<[Int64: Int64]>([:])

    public init(database: JobDatabase, progressInterval: Duration = .seconds(1)) {
        self.database = database
        self.progressInterval = progressInterval
    }

    /// Opens an attempt of the leased job (at most one is open per job) and returns its id. Throws `JobStoreError`
    /// (`.leaseLost`; `.database` also when another attempt of the job is still open).
    ///
    /// With `synced: false` the commit is written but not synced (every process sees it, and it survives `SIGKILL`
    /// of this one; a power loss may lose it): for a caller whose next commit, soon and before anything acts on
    /// this one, is synced (``attemptStarted(_:_:process:now:)`` right after the spawn), so that the sync overlaps
    /// the hook's start instead of delaying it.
    public func openAttempt(_ lease: JobLease, _ start: AttemptStart, now: Date = Date(), synced: Bool = true) throws(JobStoreError) -> Int64 {
        try database.write("open attempt", synced ? .synced : .survivesProcessCrash) { tx in
            try Self.insertAttempt(start, lease, tx, at: now.milliseconds)
        }
    }

    /// Inserts an attempt of the leased job inside a transaction (masked, fenced) and appends its event.
    static func insertAttempt(_ start: AttemptStart, _ lease: JobLease, _ tx: SQLiteTransaction, at: Int64) throws -> Int64 {
        let argv = SecretMask.maskArgv(start.argv)
        let argvJSON = ArgvJSON.encode(argv)
        let changed = try tx.execute(
            """
            INSERT INTO attempts (job_id, cycle, position, method, command, argv, clone_source, started_at, log_path)
            SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM jobs WHERE \(JobQueue.fence)
            """,
            arguments: [
                lease.cycle, start.position, start.method, start.command.map(SecretMask.maskText), argvJSON,
                start.cloneSource.map(SecretMask.maskText), at, start.logPath,
            ] + JobQueue.fenceArguments(lease))
        guard changed == 1 else { throw JobQueue.lost(lease) }
        let id = tx.lastInsertRowID
        try JobQueue.event(tx, lease.jobID, at, "attempt \(id): \(start.method) (position \(start.position), pass \(lease.cycle))")
        return id
    }

    /// Records the hook process of an open attempt (pid, process group, start time) so a later `reconcile` can
    /// report it for killing. Throws `JobStoreError` (`.leaseLost`).
    ///
    /// The commit is synced, and with it everything written before it unsynced: the attempt's open, when it was
    /// written with `synced: false` just before the spawn. It runs while the hook's executable loads.
    public func attemptStarted(_ attemptID: Int64, _ lease: JobLease, process: AttemptProcess, now: Date = Date()) throws(JobStoreError) {
        try updateOpenAttempt(
            attemptID, lease, "attempt started", .synced,
            "hook_pid = ?, hook_pgid = ?, hook_start_time = ?, progress_at = ?",
            [process.pid, process.processGroup, process.startTime, now.milliseconds])
    }

    /// Records the last output line of an open attempt, at most once per `progressInterval` (returns whether it
    /// wrote). Throws `JobStoreError` (`.leaseLost`) only when it writes.
    @discardableResult
    public func attemptProgress(_ attemptID: Int64, _ lease: JobLease, lastLine: String, now: Date = Date()) throws(JobStoreError) -> Bool {
        let at = now.milliseconds
        let interval = progressInterval.milliseconds
        let due = progressWritten.withLock { written -> Bool in
            if let last = written[attemptID], at - last < interval { return false }
            written[attemptID] = at
            return true
        }
        guard due else { return false }
        try updateOpenAttempt(
            attemptID, lease, "attempt progress", .synced, "last_line = ?, progress_at = ?", [SecretMask.maskText(String(lastLine.prefix(1000))), at])
        return true
    }

    /// Closes an open attempt with its outcome, exit code or signal, output tails and byte count; with `then`, also
    /// ends or requeues the job in the same transaction (one commit instead of two). Throws `JobStoreError`
    /// (`.leaseLost`, also when the attempt was already closed, e.g. by `reconcile`; nothing changed then).
    public func closeAttempt(
        _ attemptID: Int64, _ lease: JobLease, _ end: AttemptEnd, then transition: JobTransition? = nil, now: Date = Date()
    ) throws(JobStoreError) {
        _ = progressWritten.withLock { $0.removeValue(forKey: attemptID) }
        try database.write("close attempt") { tx in
            try Self.close(attemptID, lease, end, tx, at: now.milliseconds)
            if let transition {
                try JobQueue.apply(transition, lease, tx, at: now.milliseconds)
            }
        }
    }

    /// Closes an open attempt and opens the job's next one in the same transaction (one synced commit where
    /// `closeAttempt` then `openAttempt` take two), for a chain moving straight on to its next method; returns the
    /// new attempt's id. Both happen or neither does. Throws `JobStoreError` (`.leaseLost` as either would).
    /// `synced` as for ``openAttempt(_:_:now:synced:)``.
    public func closeAttempt(
        _ attemptID: Int64, _ lease: JobLease, _ end: AttemptEnd, opening next: AttemptStart, now: Date = Date(), synced: Bool = true
    ) throws(JobStoreError) -> Int64 {
        _ = progressWritten.withLock { $0.removeValue(forKey: attemptID) }
        return try database.write("close attempt and open the next", synced ? .synced : .survivesProcessCrash) { tx in
            try Self.close(attemptID, lease, end, tx, at: now.milliseconds)
            return try Self.insertAttempt(next, lease, tx, at: now.milliseconds)
        }
    }

    /// Writes an attempt's end inside a transaction (fenced) and appends its event; `end.finishedAt`, when given
    /// and not later than `at`, is the time recorded.
    private static func close(_ attemptID: Int64, _ lease: JobLease, _ end: AttemptEnd, _ tx: SQLiteTransaction, at now: Int64) throws {
        let at = min(end.finishedAt?.milliseconds ?? now, now)
        let changed = try tx.execute(
            """
            UPDATE attempts SET finished_at = max(?, started_at), outcome = ?, detail = ?, exit_code = ?, signal = ?,
                stdout_tail = ?, stderr_tail = ?, output_bytes = ?, log_path = coalesce(?, log_path)
            WHERE id = ? AND finished_at IS NULL AND job_id = (SELECT id FROM jobs WHERE \(JobQueue.fence))
            """,
            arguments: [
                at, end.outcome.rawValue, end.detail.map(SecretMask.maskText), end.exitCode, end.signal, end.stdoutTail, end.stderrTail,
                end.outputBytes, end.logPath, attemptID,
            ] + JobQueue.fenceArguments(lease))
        guard changed == 1 else { throw JobQueue.lost(lease) }
        var summary = "attempt \(attemptID): \(end.outcome.rawValue)"
        if let code = end.exitCode, end.outcome != .succeeded { summary += " (exit code \(code))" }
        if let signal = end.signal { summary += " (signal \(signal))" }
        if let detail = end.detail { summary += ": \(detail)" }
        try JobQueue.event(tx, lease.jobID, at, summary)
    }

    /// Appends an event to a job's story (masked). Not fenced: the daemon's decisions and the command line both
    /// write events. Throws `JobStoreError` (`.notFound` for an unknown job).
    public func appendEvent(jobID: Int64, _ message: String, now: Date = Date()) throws(JobStoreError) {
        try database.write("append event") { tx in
            guard try tx.queryFirst("SELECT 1 FROM jobs WHERE id = ?", jobID) != nil else {
                throw JobStoreError(.notFound, "no job \(jobID); see 'sidecar jobs list'")
            }
            try JobQueue.event(tx, jobID, now.milliseconds, message)
        }
    }

    private func updateOpenAttempt(
        _ attemptID: Int64, _ lease: JobLease, _ what: String, _ durability: SQLiteConnection.Durability, _ assignments: String,
        _ values: [any SQLiteValueConvertible]
    ) throws(JobStoreError) {
        try database.write(what, durability) { tx in
            let changed = try tx.execute(
                """
                UPDATE attempts SET \(assignments)
                WHERE id = ? AND finished_at IS NULL AND job_id = (SELECT id FROM jobs WHERE \(JobQueue.fence))
                """, arguments: values + [attemptID] + JobQueue.fenceArguments(lease))
            guard changed == 1 else { throw JobQueue.lost(lease) }
        }
    }
}
