import Foundation
import SQLite

/// Fills a job database with finished jobs and their attempts in a few large transactions (bench set-up only:
/// it writes the tables directly rather than through the queue, which would take one commit per step).
enum HistoryFiller {
    static func fill(_ connection: SQLiteConnection, jobs: Int, attemptsPerJob: Int) throws {
        let base = Int64(Date().timeIntervalSince1970 * 1000) - Int64(jobs) * 60_000
        let tail = [UInt8](repeating: UInt8(ascii: "y"), count: 256)
        let batch = 10_000
        var next = 0
        while next < jobs {
            let end = min(jobs, next + batch)
            try connection.write { tx in
                for index in next..<end {
                    let created = base + Int64(index) * 60_000
                    let finished = created + 50_000
                    let failed = index % 10 == 0
                    try tx.execute(
                        """
                        INSERT INTO jobs (kind, source, scope, data_dir, state, not_before, cycle, created_at, updated_at, finished_at,
                            last_error, owner_host, owner_boot_id, owner_pid, owner_start_time)
                        VALUES ('replica', 'auto', 'bench', ?, ?, ?, 1, ?, ?, ?, ?, 'bench', 'boot', 1, 1)
                        """, "/data/\(index)", failed ? "failed" : "succeeded", created, created, finished, finished,
                        failed ? "every method failed" : nil as String?)
                    let job = tx.lastInsertRowID
                    for position in 0..<attemptsPerJob {
                        let started = created + Int64(position) * 10_000
                        try tx.execute(
                            """
                            INSERT INTO attempts (job_id, cycle, position, method, command, argv, started_at, finished_at, outcome,
                                exit_code, stdout_tail, stderr_tail, output_bytes)
                            VALUES (?, 1, ?, 'basebackup', '/usr/bin/pg_basebackup', '["pg_basebackup"]', ?, ?, ?, ?, ?, x'', 256)
                            """, job, position, started, started + 5_000, position == attemptsPerJob - 1 && !failed ? "succeeded" : "failed",
                            position == attemptsPerJob - 1 && !failed ? 0 : 1, tail)
                    }
                }
            }
            next = end
        }
    }
}
