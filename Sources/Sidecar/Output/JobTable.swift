import Foundation
import JobStore

/// The human views of `sidecar jobs list` and `sidecar jobs show`.
enum JobTable {
    /// One row per job: id, kind, source, state, pass, attempts, created, finished, data dir, progress of a running
    /// job (`running for 12m, last: …`, from its open attempt in `running`), last error.
    static func list(_ jobs: [Job], running: [Int64: Attempt] = [:], now: Date = Date()) -> String {
        if jobs.isEmpty { return "no jobs\n" }
        let header = ["ID", "KIND", "SOURCE", "STATE", "PASS", "ATTEMPTS", "CREATED", "FINISHED", "DATA DIR", "PROGRESS", "LAST ERROR"]
        let rows = jobs.map { job in
            [
                String(job.id), job.kind.rawValue, job.source.rawValue, state(job), String(job.cycle), String(job.attemptCount),
                short(job.createdAt), job.finishedAt.map(short) ?? "-", job.dataDirectory,
                job.state == .running ? running[job.id].map { oneLine(progress($0, now: now), max: 70) } ?? "running" : "",
                job.lastError.map { oneLine($0, max: 60) } ?? "",
            ]
        }
        return render([header] + rows)
    }

    /// `running for 12m, last: <line>` for an open attempt (the line as last recorded, at most once a second).
    static func progress(_ attempt: Attempt, now: Date) -> String {
        let running = "running \(attempt.method) for \(elapsed(now.timeIntervalSince(attempt.startedAt)))"
        return attempt.lastLine.map { "\(running), last: \($0)" } ?? running
    }

    /// `45s`, `12m`, `3h05m`.
    static func elapsed(_ seconds: TimeInterval) -> String {
        let total = max(0, Int(seconds))
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m" }
        return "\(total / 3600)h" + String(format: "%02dm", (total % 3600) / 60)
    }

    /// A job's fields, its events, then each attempt with its argv and the end of its output.
    static func detail(_ detail: JobDetail, tailLines: Int = 10, now: Date = Date()) -> String {
        let job = detail.job
        var fields: [(String, String)] = [
            ("job", "\(job.id)"), ("kind", "\(job.kind.rawValue) (source \(job.source.rawValue))"), ("state", state(job)),
            ("scope", job.scope), ("data dir", job.dataDirectory), ("pass", "\(job.cycle)"),
            ("created", short(job.createdAt)), ("updated", short(job.updatedAt)),
        ]
        if job.state == .queued { fields.append(("not before", short(job.notBefore))) }
        if let finished = job.finishedAt { fields.append(("finished", short(finished))) }
        if let owner = job.owner { fields.append(("owner", "\(owner) (boot \(owner.bootID.prefix(8)))")) }
        if let lease = job.leaseExpiresAt { fields.append(("lease until", short(lease))) }
        var options: [String] = []
        if job.options.fromLeader { options.append("from_leader") }
        if job.options.force { options.append("force") }
        if !options.isEmpty { fields.append(("options", options.joined(separator: ", "))) }
        if let error = job.lastError { fields.append(("last error", error)) }
        let width = fields.map(\.0.count).max() ?? 0
        var text = fields.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n"

        text += "\nevents:\n"
        text += detail.events.isEmpty ? "  (none)\n" : detail.events.map { "  \(short($0.at))  \($0.message)\n" }.joined()

        text += "\nattempts:\n"
        if detail.attempts.isEmpty { return text + "  (none)\n" }
        let header = ["#", "ID", "PASS", "POS", "METHOD", "OUTCOME", "EXIT", "STARTED", "SECONDS", "OUTPUT BYTES"]
        let rows = detail.attempts.map { attempt in
            [
                String(attempt.number), String(attempt.id), String(attempt.cycle), String(attempt.position), attempt.method,
                attempt.outcome?.rawValue ?? "running", exit(attempt), short(attempt.startedAt),
                attempt.finishedAt.map { String(format: "%.1f", $0.timeIntervalSince(attempt.startedAt)) } ?? "-", String(attempt.outputBytes),
            ]
        }
        text += render([header] + rows).split(separator: "\n").map { "  " + $0 + "\n" }.joined()
        for attempt in detail.attempts {
            text += "\nattempt \(attempt.number) (\(attempt.method)): \(attempt.argv.joined(separator: " "))\n"
            if let source = attempt.cloneSource { text += "  clone source: \(source)\n" }
            if let detail = attempt.detail { text += "  detail: \(detail)\n" }
            if let path = attempt.logPath { text += "  log: \(path)\n" }
            if attempt.finishedAt == nil {
                text += "  \(progress(attempt, now: now))"
                text += attempt.progressAt.map { " (recorded \(short($0)))\n" } ?? "\n"
            }
            text += tail("stdout", attempt.stdoutTail, lines: tailLines) + tail("stderr", attempt.stderrTail, lines: tailLines)
        }
        return text
    }

    private static func short(_ date: Date) -> String {
        Timestamp.format(date, milliseconds: false)
    }

    private static func state(_ job: Job) -> String {
        job.cancelRequested ? "\(job.state.rawValue) (cancel requested)" : job.state.rawValue
    }

    private static func exit(_ attempt: Attempt) -> String {
        if let code = attempt.exitCode { return String(code) }
        if let signal = attempt.signal { return "sig \(signal)" }
        return "-"
    }

    private static func tail(_ name: String, _ bytes: [UInt8], lines: Int) -> String {
        guard !bytes.isEmpty else { return "" }
        let all = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let kept = (all.last == "" ? all.dropLast() : all[...]).suffix(lines)
        return "  \(name) (last \(kept.count) lines):\n" + kept.map { "    | \($0)\n" }.joined()
    }

    private static func oneLine(_ text: String, max: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > max ? String(flat.prefix(max - 1)) + "…" : flat
    }

    /// Left-aligned columns two spaces apart; the last column is not padded.
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == columns - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// The string without the spaces at its end (the padding of an empty last cell).
    fileprivate var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
