import Foundation
import SQLite

/// The queue side of the job database: enqueue, claim, lease renewal and the worker's end of a pass.
///
/// Worker writes take the `JobLease` from `claim` and are fenced: they change nothing unless the job still runs
/// under that owner in that cycle, and then throw `JobStoreError` with code `.leaseLost` (stop working on the
/// job). `renewLease` reports a lost lease as a value instead. Every state change appends an event.
public struct JobQueue: Sendable {
    /// The database.
    public let database: JobDatabase
    /// Who claims: this process, unless a test says otherwise.
    public let owner: JobOwner
    /// How long a claim or renewal holds the job.
    public let leaseDuration: Duration

    public init(database: JobDatabase, owner: JobOwner = ProcessIdentity.currentOwner(), leaseDuration: Duration = .seconds(30)) {
        self.database = database
        self.owner = owner
        self.leaseDuration = leaseDuration
    }

    /// What `enqueue` did.
    public enum Enqueued: Sendable, Equatable {
        /// A new job was queued.
        case created(Job)
        /// The data dir already had an unfinished job; that one is returned and nothing was added.
        case existing(Job)

        /// The job, new or existing.
        public var job: Job {
            switch self {
            case .created(let job), .existing(let job): job
            }
        }
    }

    /// Queues a job, unless the data dir already has a queued or running one (then returns it). Throws
    /// `JobStoreError` when the database cannot be written.
    public func enqueue(_ request: JobRequest, now: Date = Date()) throws(JobStoreError) -> Enqueued {
        try database.write("enqueue") { tx in
            if let row = try tx.queryFirst(
                "SELECT \(Job.columns) FROM jobs WHERE data_dir = ? AND state IN ('queued', 'running')", request.dataDirectory)
            {
                return .existing(try Job(row: row))
            }
            let at = now.milliseconds
            try tx.execute(
                """
                INSERT INTO jobs (kind, source, scope, data_dir, options, not_before, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                request.kind.rawValue, request.source.rawValue, request.scope, request.dataDirectory, request.options.json,
                (request.notBefore ?? now).milliseconds, at, at)
            let id = tx.lastInsertRowID
            try Self.event(tx, id, at, "queued \(request.kind.rawValue) job for \(request.dataDirectory) (source \(request.source.rawValue))")
            return .created(try Job.fetch(id, in: tx))
        }
    }

    /// A claimed job and the lease every worker write must name.
    public struct Claim: Sendable, Equatable {
        public var job: Job
        public var lease: JobLease
        /// The attempt opened with the claim, when `claim` was given one to open.
        public var attemptID: Int64?
    }

    /// Claims the oldest queued job whose `not_before` has passed (only jobs of `dataDirectory` when given): one
    /// `UPDATE … RETURNING` in a `BEGIN IMMEDIATE` transaction, so two processes never claim the same job. Returns
    /// `nil` when there is nothing to claim. Throws `JobStoreError` when the database cannot be written.
    ///
    /// With `opening`, the job's first attempt is opened in the same transaction (one commit instead of two, for
    /// a worker that knows its first method before it claims); `Claim.attemptID` names it.
    public func claim(dataDirectory: String? = nil, opening: AttemptStart? = nil, now: Date = Date()) throws(JobStoreError) -> Claim? {
        let at = now.milliseconds
        let expires = at + leaseDuration.milliseconds
        return try database.write("claim") { tx -> Claim? in
            guard
                let row = try tx.queryFirst(
                    """
                    UPDATE jobs SET state = 'running', owner_host = ?, owner_boot_id = ?, owner_pid = ?, owner_start_time = ?,
                        lease_expires_at = ?, cycle = cycle + 1, cancel_requested = 0, updated_at = ?
                    WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND not_before <= ?
                                AND (?8 IS NULL OR data_dir = ?8) ORDER BY not_before, id LIMIT 1)
                    RETURNING id, cycle
                    """, owner.host, owner.bootID, owner.pid, owner.startTime, expires, at, at, dataDirectory)
            else { return nil }
            let id: Int64 = try row[0]
            let cycle: Int = try row[1]
            try Self.event(tx, id, at, "claimed by \(owner) (pass \(cycle))")
            let lease = JobLease(jobID: id, owner: owner, cycle: cycle, expiresAt: Date(milliseconds: expires))
            let attemptID = try opening.map { start in try AuditHistory.insertAttempt(start, lease, tx, at: at) }
            return Claim(job: try Job.fetch(id, in: tx), lease: lease, attemptID: attemptID)
        }
    }

    /// What `renewLease` found.
    public enum LeaseRenewal: Sendable, Equatable {
        /// Renewed until the lease's new `expiresAt`.
        case renewed(JobLease)
        /// Renewed, and someone asked to cancel the job: stop the hook, close the attempt, `acknowledgeCancel`.
        case cancelRequested(JobLease)
        /// The job no longer runs under this lease (reconciled, requeued or claimed again): stop working on it.
        case lost
    }

    /// Extends the lease by `leaseDuration` from `now` and reports a pending cancel; a lost lease is a value.
    /// Throws `JobStoreError` only when the database cannot be written.
    public func renewLease(_ lease: JobLease, now: Date = Date()) throws(JobStoreError) -> LeaseRenewal {
        let expires = now.milliseconds + leaseDuration.milliseconds
        return try database.write("renew lease") { tx -> LeaseRenewal in
            guard
                let row = try tx.queryFirst(
                    "UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE \(Self.fence) RETURNING cancel_requested",
                    arguments: [expires, now.milliseconds] + Self.fenceArguments(lease))
            else { return .lost }
            var renewed = lease
            renewed.expiresAt = Date(milliseconds: expires)
            return try row[0] as Bool ? .cancelRequested(renewed) : .renewed(renewed)
        }
    }

    /// Marks the job `succeeded`. Throws `JobStoreError` (`.leaseLost` when the lease is gone; nothing changed).
    public func finish(_ lease: JobLease, now: Date = Date()) throws(JobStoreError) {
        try end(lease, .finish, now: now)
    }

    /// Marks the job `failed` with `error` (secrets masked). Throws `JobStoreError` (`.leaseLost`).
    public func fail(_ lease: JobLease, error: String, now: Date = Date()) throws(JobStoreError) {
        try end(lease, .fail(error: error), now: now)
    }

    /// Ends a running job whose cancel was requested (seen at `renewLease`) as `cancelled`. Throws `JobStoreError`
    /// (`.leaseLost`).
    public func acknowledgeCancel(_ lease: JobLease, now: Date = Date()) throws(JobStoreError) {
        try end(lease, .acknowledgeCancel, now: now)
    }

    /// Puts the job back in the queue for another pass, not before `notBefore`, keeping `error` (masked) as its last
    /// error. Throws `JobStoreError` (`.leaseLost`).
    public func requeue(_ lease: JobLease, notBefore: Date, error: String?, now: Date = Date()) throws(JobStoreError) {
        try end(lease, .requeue(notBefore: notBefore, error: error), now: now)
    }

    private func end(_ lease: JobLease, _ transition: JobTransition, now: Date) throws(JobStoreError) {
        try database.write(transition.name) { tx in try Self.apply(transition, lease, tx, at: now.milliseconds) }
    }

    /// The condition of every fenced write, with `fenceArguments` bound after the statement's own values.
    static let fence = """
        id = ? AND state = 'running' AND owner_host = ? AND owner_boot_id = ? AND owner_pid = ? AND owner_start_time = ? \
        AND cycle = ?
        """

    static func fenceArguments(_ lease: JobLease) -> [any SQLiteValueConvertible] {
        [lease.jobID, lease.owner.host, lease.owner.bootID, lease.owner.pid, lease.owner.startTime, lease.cycle]
    }

    static func lost(_ lease: JobLease) -> JobStoreError {
        JobStoreError(
            .leaseLost,
            "job \(lease.jobID) no longer runs under this worker's lease (pass \(lease.cycle)); it was reconciled, cancelled or claimed again")
    }

    /// Appends an event inside a transaction (the text is masked).
    static func event(_ tx: SQLiteTransaction, _ jobID: Int64, _ at: Int64, _ message: String) throws {
        try tx.execute("INSERT INTO events (job_id, at, message) VALUES (?, ?, ?)", jobID, at, SecretMask.maskText(message))
    }

    /// `2026-11-27T14:32:27Z`: UTC, whole seconds (what `date.formatted(.iso8601)` writes), from `gmtime_r`: the
    /// format style builds an ICU calendar and time zone, which maps megabytes of ICU into the daemon.
    static func rfc3339(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))T"
            + "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))Z"
    }
}
