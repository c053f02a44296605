import Foundation
import Imaging
import JobStore
import Postgres

/// The `GET /status` document: the node's in-memory status (what it is doing now) with the last finished job read
/// from the job database.
enum StatusDocument {
    /// Builds the document. Throws `JobStoreError` when the job database cannot be read.
    static func build(
        _ snapshot: NodeStatus.Snapshot, configuration: ImagingConfiguration, history: AuditHistory, now: Date
    ) throws(JobStoreError) -> JSONValue {
        .object([
            ("node", .string(configuration.name)),
            ("scope", .string(configuration.scope)),
            (
                "data_dir",
                .object([
                    ("path", .string(configuration.postgres.dataDirectory)), ("state", .string(snapshot.dataDirState)),
                    ("problem", JSONValue(snapshot.dataDirProblem)),
                ])
            ),
            ("instance", .string(snapshot.instance.rawValue)),
            ("member_state", .string(snapshot.memberState)),
            ("ready", .bool(snapshot.imagedAndVerified)),
            (
                "dcs",
                .object([
                    ("backend", .string(snapshot.dcsBackend)), ("reachable", .bool(snapshot.dcsReachable)), ("error", JSONValue(snapshot.dcsError)),
                ])
            ),
            ("leader", JSONValue(snapshot.leader)),
            ("last_cycle_at", snapshot.lastCycleAt.map { .string(Timestamp.format($0)) } ?? .null),
            ("current_job", currentJob(snapshot.currentJob, now: now)),
            ("last_finished_job", try lastFinished(snapshot, configuration: configuration, history: history)),
        ])
    }

    private static func currentJob(_ job: NodeStatus.CurrentJob?, now: Date) -> JSONValue {
        guard let job else { return .null }
        return .object([("id", .number(job.id)), ("kind", .string(job.kind)), ("attempt", attempt(job.attempt, now: now))])
    }

    /// The running hook: method, elapsed time, last output line, bytes so far, and for `pg_basebackup --progress` the
    /// copied and total size.
    private static func attempt(_ attempt: NodeStatus.RunningAttempt?, now: Date) -> JSONValue {
        guard let attempt else { return .null }
        let progress = attempt.lastLine.flatMap(BasebackupProgress.init(line:)).map { progress -> JSONValue in
            .object([
                ("copied_bytes", .number(progress.doneKB * 1024)), ("total_bytes", .number(progress.totalKB * 1024)),
                ("percent", .number(Int64(progress.percent))),
            ])
        }
        return .object([
            ("id", .number(attempt.attemptID)),
            ("method", .string(attempt.method)),
            ("started_at", .string(Timestamp.format(attempt.startedAt))),
            ("elapsed_seconds", .number(Int64(max(0, now.timeIntervalSince(attempt.startedAt)).rounded(.down)))),
            ("last_line", JSONValue(attempt.lastLine)),
            ("output_bytes", .number(attempt.outputBytes)),
            ("progress", progress ?? .null),
        ])
    }

    /// The job this process finished last, else the newest finished job of the data dir in the database.
    private static func lastFinished(
        _ snapshot: NodeStatus.Snapshot, configuration: ImagingConfiguration, history: AuditHistory
    ) throws(JobStoreError) -> JSONValue {
        let job: Job?
        if let id = snapshot.lastFinishedJobID {
            job = try history.job(id: id)
        } else {
            job = try history.jobs(JobFilter(dataDirectory: configuration.postgres.dataDirectory, limit: 20)).first { $0.finishedAt != nil }
        }
        guard let job else { return .null }
        return .object([
            ("id", .number(job.id)), ("kind", .string(job.kind.rawValue)), ("state", .string(job.state.rawValue)),
            ("outcome", .string(snapshot.lastFinishedJobID == job.id ? snapshot.lastFinishedOutcome ?? job.state.rawValue : job.state.rawValue)),
            ("finished_at", job.finishedAt.map { .string(Timestamp.format($0)) } ?? .null),
            ("last_error", JSONValue(job.lastError)),
        ])
    }
}
