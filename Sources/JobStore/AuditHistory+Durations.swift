import Foundation
import SQLite

extension AuditHistory {
    /// Finished attempts of one method counted into duration buckets, for a Prometheus histogram.
    public struct DurationHistogram: Sendable, Equatable {
        public var method: String
        /// Cumulative counts: `bucketCounts[i]` attempts took at most `bounds[i]` seconds.
        public var bucketCounts: [Int]
        /// All finished attempts of the method (the `+Inf` bucket).
        public var count: Int
        /// Their summed duration in seconds.
        public var sumSeconds: Double

        public init(method: String, bucketCounts: [Int], count: Int, sumSeconds: Double) {
            self.method = method
            self.bucketCounts = bucketCounts
            self.count = count
            self.sumSeconds = sumSeconds
        }
    }

    /// Finished attempts by method, counted into the cumulative buckets `bounds` (seconds, ascending). One query;
    /// throws `JobStoreError`.
    public func attemptDurations(bounds: [Double]) throws(JobStoreError) -> [DurationHistogram] {
        let buckets = bounds.map { _ in "sum(d <= ?)" }.joined(separator: ", ")
        let sql = """
            SELECT method, count(*), total(d)\(bounds.isEmpty ? "" : ", " + buckets)
            FROM (SELECT method, finished_at - started_at AS d FROM attempts WHERE finished_at IS NOT NULL)
            GROUP BY method ORDER BY method
            """
        let limits: [any SQLiteValueConvertible] = bounds.map { Int64(($0 * 1000).rounded()) }
        return try database.read("count attempt durations") { tx in
            try tx.query(sql, arguments: limits).map { row in
                DurationHistogram(
                    method: try row[0], bucketCounts: try bounds.indices.map { try row[$0 + 3] as Int }, count: try row[1],
                    sumSeconds: try row[2] as Double / 1000)
            }
        }
    }

    /// How many chain passes ran: distinct (job, pass) pairs with at least one attempt of one of `methods` (the
    /// replica chain's method names). Throws `JobStoreError`.
    public func chainPasses(methods: [String]) throws(JobStoreError) -> Int {
        guard !methods.isEmpty else { return 0 }
        let placeholders = methods.map { _ in "?" }.joined(separator: ", ")
        return try database.read("count chain passes") { tx in
            try tx.queryFirst(
                "SELECT count(*) FROM (SELECT DISTINCT job_id, cycle FROM attempts WHERE method IN (\(placeholders)))",
                arguments: methods)?[0] ?? 0
        }
    }
}
