import ArgumentParser
import Foundation
import JobStore

/// `sidecar jobs list [--state S] [--kind K] [--since T] [--limit N] [--json]`: jobs, newest first.
struct JobsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only jobs in this state: queued, running, succeeded, failed, cancelled.")
    var state: String?

    @Option(help: "Only jobs of this kind: image, bootstrap, replica.")
    var kind: String?

    @Option(help: "Only jobs created since this time: RFC 3339 (2026-01-31T12:00:00Z) or a duration ago (90m, 2h, 7d).")
    var since: String?

    @Option(help: "At most this many jobs.")
    var limit: Int = 50

    @Flag(help: "One JSON document for scripts.")
    var json = false

    func validate() throws {
        if let state, JobState(rawValue: state) == nil {
            throw ValidationError("--state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let kind, JobKind(rawValue: kind) == nil {
            throw ValidationError("--kind must be one of \(JobKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let since, Self.parseSince(since, now: Date()) == nil {
            throw ValidationError("--since must be an RFC 3339 time (2026-01-31T12:00:00Z) or a duration such as 2h")
        }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let database = try global.openJobDatabase()
        let filter = JobFilter(
            state: state.flatMap(JobState.init(rawValue:)), kind: kind.flatMap(JobKind.init(rawValue:)),
            since: since.flatMap { Self.parseSince($0, now: Date()) }, limit: limit)
        let history = AuditHistory(database: database)
        let jobs: [Job]
        var running: [Int64: Attempt] = [:]
        do {
            jobs = try history.jobs(filter)
            if !json {
                for job in jobs where job.state == .running {
                    running[job.id] = try history.attempts(jobID: job.id).last { $0.finishedAt == nil }
                }
            }
        } catch {
            throw CLIError(error)
        }
        if json {
            try JSONOutput.write(JSONOutput.jobsDocument(jobs))
        } else {
            Terminal.write(JobTable.list(jobs, running: running))
        }
    }

    /// An RFC 3339 time, or a duration before `now`.
    static func parseSince(_ text: String, now: Date) -> Date? {
        if let date = Timestamp.parse(text) { return date }
        guard let duration = DurationParser.duration(text) else { return nil }
        let components = duration.components
        return now.addingTimeInterval(-(Double(components.seconds) + Double(components.attoseconds) / 1e18))
    }
}
