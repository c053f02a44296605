import Foundation
import JobStore

/// The `--json` documents of `sidecar jobs` (stable field names; times RFC 3339 UTC; absent values are `null`).
enum JSONOutput {
    /// Writes one document and a newline to stdout.
    static func write(_ document: JSONValue) throws {
        Terminal.write(document.rendered() + "\n")
    }

    /// `{"jobs": [job, ...]}`.
    static func jobsDocument(_ jobs: [Job]) -> JSONValue {
        .object([("jobs", .array(jobs.map(job)))])
    }

    /// `{"job": {...}, "events": [{"at", "message"}], "attempts": [{...}]}`.
    static func detailDocument(_ detail: JobDetail) -> JSONValue {
        .object([
            ("job", job(detail.job)),
            ("events", .array(detail.events.map { .object([("at", .string(Timestamp.format($0.at))), ("message", .string($0.message))]) })),
            ("attempts", .array(detail.attempts.map(attempt))),
        ])
    }

    static func job(_ job: Job) -> JSONValue {
        .object([
            ("id", .number(job.id)),
            ("kind", .string(job.kind.rawValue)),
            ("source", .string(job.source.rawValue)),
            ("scope", .string(job.scope)),
            ("state", .string(job.state.rawValue)),
            ("data_dir", .string(job.dataDirectory)),
            ("cycle", JSONValue(job.cycle)),
            ("not_before", time(job.notBefore)),
            ("created_at", time(job.createdAt)),
            ("updated_at", time(job.updatedAt)),
            ("finished_at", time(job.finishedAt)),
            ("last_error", JSONValue(job.lastError)),
            ("options", .object([("from_leader", .bool(job.options.fromLeader)), ("force", .bool(job.options.force))])),
            ("owner", owner(job.owner)),
            ("lease_expires_at", time(job.leaseExpiresAt)),
            ("cancel_requested", .bool(job.cancelRequested)),
            ("attempt_count", JSONValue(job.attemptCount)),
        ])
    }

    static func attempt(_ attempt: Attempt) -> JSONValue {
        .object([
            ("id", .number(attempt.id)),
            ("number", JSONValue(attempt.number)),
            ("cycle", JSONValue(attempt.cycle)),
            ("position", JSONValue(attempt.position)),
            ("method", .string(attempt.method)),
            ("command", JSONValue(attempt.command)),
            ("argv", .array(attempt.argv.map(JSONValue.string))),
            ("clone_source", JSONValue(attempt.cloneSource)),
            ("started_at", time(attempt.startedAt)),
            ("finished_at", time(attempt.finishedAt)),
            ("outcome", JSONValue(attempt.outcome?.rawValue)),
            ("detail", JSONValue(attempt.detail)),
            ("exit_code", JSONValue(attempt.exitCode)),
            ("signal", JSONValue(attempt.signal)),
            ("stdout_tail", .string(String(decoding: attempt.stdoutTail, as: UTF8.self))),
            ("stderr_tail", .string(String(decoding: attempt.stderrTail, as: UTF8.self))),
            ("output_bytes", .number(attempt.outputBytes)),
            ("log_path", JSONValue(attempt.logPath)),
            ("hook", hook(attempt.process)),
            ("last_line", JSONValue(attempt.lastLine)),
            ("progress_at", time(attempt.progressAt)),
        ])
    }

    private static func time(_ date: Date?) -> JSONValue {
        date.map { .string(Timestamp.format($0)) } ?? .null
    }

    private static func owner(_ owner: JobOwner?) -> JSONValue {
        guard let owner else { return .null }
        return .object([
            ("host", .string(owner.host)), ("boot_id", .string(owner.bootID)), ("pid", JSONValue(owner.pid)),
            ("start_time", .number(owner.startTime)),
        ])
    }

    private static func hook(_ process: AttemptProcess?) -> JSONValue {
        guard let process else { return .null }
        return .object([("pid", JSONValue(process.pid)), ("pgid", JSONValue(process.processGroup)), ("start_time", .number(process.startTime))])
    }
}
