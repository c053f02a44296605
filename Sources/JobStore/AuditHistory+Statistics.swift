import Foundation
import SQLite

extension AuditHistory {
    /// How many jobs there are of one kind in one state.
    public struct JobCount: Sendable, Equatable {
        public var kind: JobKind
        public var state: JobState
        public var count: Int

        public init(kind: JobKind, state: JobState, count: Int) {
            self.kind = kind
            self.state = state
            self.count = count
        }
    }

    /// How many finished attempts of one method ended with one outcome, and their total run time.
    public struct AttemptCount: Sendable, Equatable {
        public var method: String
        public var outcome: AttemptOutcome
        public var count: Int
        /// Sum of `finished_at - started_at` over those attempts.
        public var totalSeconds: Double

        public init(method: String, outcome: AttemptOutcome, count: Int, totalSeconds: Double) {
            self.method = method
            self.outcome = outcome
            self.count = count
            self.totalSeconds = totalSeconds
        }
    }

    /// Jobs by kind and state (only pairs that occur), for status and metrics. Throws `JobStoreError`.
    public func jobCounts() throws(JobStoreError) -> [JobCount] {
        try database.read("count jobs") { tx in
            try tx.query("SELECT kind, state, count(*) FROM jobs GROUP BY kind, state ORDER BY kind, state").compactMap { row in
                guard let kind = JobKind(rawValue: try row[0]), let state = JobState(rawValue: try row[1]) else { return nil }
                return JobCount(kind: kind, state: state, count: try row[2])
            }
        }
    }

    /// Finished attempts by method and outcome, with their summed duration, for metrics. Throws `JobStoreError`.
    public func attemptCounts() throws(JobStoreError) -> [AttemptCount] {
        try database.read("count attempts") { tx in
            try tx.query(
                """
                SELECT method, outcome, count(*), total(finished_at - started_at) FROM attempts
                WHERE finished_at IS NOT NULL GROUP BY method, outcome ORDER BY method, outcome
                """
            ).compactMap { row in
                guard let outcome = AttemptOutcome(rawValue: try row[1]) else { return nil }
                return AttemptCount(method: try row[0], outcome: outcome, count: try row[2], totalSeconds: try row[3] as Double / 1000)
            }
        }
    }

    /// When a job last succeeded, if ever. Throws `JobStoreError`.
    public func lastSuccess() throws(JobStoreError) -> Date? {
        try database.read("find last success") { tx in
            (try tx.queryFirst("SELECT max(finished_at) FROM jobs WHERE state = 'succeeded'")?[0] as Int64?).map(Date.init(milliseconds:))
        }
    }
}
