import Foundation
import SQLite

extension Job {
    /// The columns `init(row:)` reads, for `SELECT \(Job.columns) FROM jobs ...`.
    static let columns = """
        id, kind, source, scope, data_dir, state, options, not_before, cycle, owner_host, owner_boot_id, owner_pid, \
        owner_start_time, lease_expires_at, cancel_requested, created_at, updated_at, finished_at, last_error, \
        (SELECT count(*) FROM attempts WHERE attempts.job_id = jobs.id) AS attempt_count
        """

    init(row: SQLiteRow) throws {
        id = try row[0]
        kind = try Self.decode(JobKind.self, row, 1)
        source = try Self.decode(JobSource.self, row, 2)
        scope = try row[3]
        dataDirectory = try row[4]
        state = try Self.decode(JobState.self, row, 5)
        options = JobOptions(json: try row[6])
        notBefore = Date(milliseconds: try row[7])
        cycle = try row[8]
        if let host: String = try row[9], let bootID: String = try row[10], let pid: Int32 = try row[11],
            let startTime: Int64 = try row[12]
        {
            owner = JobOwner(host: host, bootID: bootID, pid: pid, startTime: startTime)
        } else {
            owner = nil
        }
        leaseExpiresAt = (try row[13] as Int64?).map(Date.init(milliseconds:))
        cancelRequested = try row[14]
        createdAt = Date(milliseconds: try row[15])
        updatedAt = Date(milliseconds: try row[16])
        finishedAt = (try row[17] as Int64?).map(Date.init(milliseconds:))
        lastError = try row[18]
        attemptCount = try row[19]
    }

    private static func decode<T: RawRepresentable>(_ type: T.Type, _ row: SQLiteRow, _ index: Int) throws -> T
    where T.RawValue == String {
        let raw: String = try row[index]
        guard let value = T(rawValue: raw) else {
            throw JobStoreError(.database, "unknown \(row.columns[index]) '\(raw)' in the job database; upgrade sidecar")
        }
        return value
    }

    /// Reads one job inside a transaction; throws `JobStoreError.notFound` when there is none.
    static func fetch(_ id: Int64, in transaction: SQLiteTransaction) throws -> Job {
        guard let row = try transaction.queryFirst("SELECT \(columns) FROM jobs WHERE id = ?", id) else {
            throw JobStoreError(.notFound, "no job \(id); see 'sidecar jobs list'")
        }
        return try Job(row: row)
    }
}
