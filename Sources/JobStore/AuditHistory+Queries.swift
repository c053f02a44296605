import Foundation
import SQLite

extension AuditHistory {
    /// Jobs matching `filter`, newest first. Throws `JobStoreError` when the database cannot be read.
    public func jobs(_ filter: JobFilter = JobFilter()) throws(JobStoreError) -> [Job] {
        var conditions: [String] = []
        var values: [any SQLiteValueConvertible] = []
        var source = "jobs"
        if let state = filter.state {
            conditions.append("state = ?")
            values.append(state.rawValue)
            if !state.isFinal {
                source = JobSchema.unfinishedJobs
                conditions.append(JobSchema.unfinishedCondition)
            }
        }
        if let kind = filter.kind {
            conditions.append("kind = ?")
            values.append(kind.rawValue)
        }
        if let since = filter.since {
            conditions.append("created_at >= ?")
            values.append(since.milliseconds)
        }
        if let dataDirectory = filter.dataDirectory {
            conditions.append("data_dir = ?")
            values.append(dataDirectory)
        }
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(Job.columns) FROM \(source) \(condition) ORDER BY id DESC LIMIT ?"
        return try database.read("list jobs") { tx in
            try tx.query(sql, arguments: values + [max(0, filter.limit)]).map(Job.init(row:))
        }
    }

    /// The queued or running job of a data dir, if any (an imaging that has not finished: SPEC §2 "interrupted").
    /// Throws `JobStoreError` when the database cannot be read.
    public func unfinishedJob(dataDirectory: String) throws(JobStoreError) -> Job? {
        try database.read("find unfinished job") { tx in
            try tx.queryFirst("SELECT \(Job.columns) FROM jobs WHERE data_dir = ? AND state IN ('queued', 'running')", dataDirectory)
                .map(Job.init(row:))
        }
    }

    /// One job. Throws `JobStoreError` (`.notFound` for an unknown id).
    public func job(id: Int64) throws(JobStoreError) -> Job {
        try database.read("read job") { tx in try Job.fetch(id, in: tx) }
    }

    /// One job with its events and attempts, oldest first. Throws `JobStoreError` (`.notFound`).
    public func detail(jobID: Int64) throws(JobStoreError) -> JobDetail {
        try database.read("read job") { tx in
            let job = try Job.fetch(jobID, in: tx)
            let events = try tx.query("SELECT id, job_id, at, message FROM events WHERE job_id = ? ORDER BY id", jobID).map { row in
                JobEvent(id: try row[0], jobID: try row[1], at: Date(milliseconds: try row[2]), message: try row[3])
            }
            return JobDetail(job: job, events: events, attempts: try Self.attempts(jobID, tx))
        }
    }

    /// A job's attempts, oldest first (numbered from 1). Throws `JobStoreError` (`.notFound`).
    public func attempts(jobID: Int64) throws(JobStoreError) -> [Attempt] {
        try database.read("read attempts") { tx in
            _ = try Job.fetch(jobID, in: tx)
            return try Self.attempts(jobID, tx)
        }
    }

    private static func attempts(_ jobID: Int64, _ tx: SQLiteTransaction) throws -> [Attempt] {
        try tx.query("SELECT \(Attempt.columns) FROM attempts WHERE job_id = ? ORDER BY id", jobID).enumerated().map { offset, row in
            try Attempt(row: row, number: offset + 1)
        }
    }

    /// Deletes finished jobs (with their attempts and events) that finished before `finishedBefore`, in
    /// transactions of at most `batchSize` jobs so other processes are never blocked for long. Queued and running
    /// jobs are never touched. Returns what went, including log paths for the caller to delete. Throws
    /// `JobStoreError` when the database cannot be written (batches already done stay done).
    public func prune(finishedBefore: Date, batchSize: Int = 500) throws(JobStoreError) -> PruneResult {
        var result = PruneResult(jobs: 0, attempts: 0, logPaths: [], jobIDs: [])
        let cutoff = finishedBefore.milliseconds
        while true {
            let batch = try database.write("prune") { tx -> PruneResult in
                let ids: [Int64] = try tx.query(
                    "SELECT id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ? ORDER BY id LIMIT ?", cutoff,
                    max(1, batchSize)
                ).map { try $0[0] }
                guard let first = ids.min(), let last = ids.max() else {
                    return PruneResult(jobs: 0, attempts: 0, logPaths: [], jobIDs: [])
                }
                let idList = ids.map(String.init).joined(separator: ",")
                let attempts: Int = try tx.queryFirst("SELECT count(*) FROM attempts WHERE job_id IN (\(idList))")?[0] ?? 0
                let logs: [String] = try tx.query(
                    "SELECT log_path FROM attempts WHERE job_id IN (\(idList)) AND log_path IS NOT NULL"
                ).map { try $0[0] }
                // The state test repeats the guarantee: a job that is not final is never deleted.
                let deleted = try tx.execute(
                    """
                    DELETE FROM jobs WHERE id IN (\(idList)) AND id BETWEEN ? AND ?
                        AND state IN ('succeeded', 'failed', 'cancelled') AND finished_at < ?
                    """, first, last, cutoff)
                return PruneResult(jobs: deleted, attempts: attempts, logPaths: logs, jobIDs: ids)
            }
            result.jobs += batch.jobs
            result.attempts += batch.attempts
            result.logPaths += batch.logPaths
            result.jobIDs += batch.jobIDs
            if batch.jobIDs.count < max(1, batchSize) { return result }
        }
    }
}
