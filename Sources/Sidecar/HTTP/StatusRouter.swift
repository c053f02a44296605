import DCS
import Foundation
import Imaging
import JobStore

/// Answers the status server's routes (SPEC §10): `/health`, `/readiness`, `/status`, `/jobs`, `/jobs/{id}`,
/// `/metrics`, `POST /reinit`. Reads the node's in-memory status and the job database (its own connection, so a
/// request never waits for the worker's transaction); every refusal is a JSON error with a 4xx status.
struct StatusRouter: Sendable {
    var status: NodeStatus
    var configuration: ImagingConfiguration
    var history: AuditHistory
    var queue: JobQueue
    /// The DCS, read by `POST /reinit`'s check.
    var dcs: any DCSDriver
    /// `sidecar.api_token`; `nil` disables `POST /reinit` (403).
    var apiToken: String?
    var now: @Sendable () -> Date = { Date() }

    /// How long `POST /reinit` may take: above the DCS read (`retry_timeout`, 10 s by default) plus the job database's
    /// 5 s busy timeout, so a slow but working DCS is not answered 500.
    var reinitTimeout: Duration = .seconds(30)

    /// How `request` is answered: every route but `POST /reinit` at once (on the connection's thread: SQLite reads
    /// block, and must not hold the cooperative pool), `POST /reinit` by a task (it awaits the DCS). Every failure is a
    /// JSON error (4xx for the request's fault, 500 otherwise).
    func handle(_ request: HTTPRequest) -> HTTPHandling {
        do {
            return try route(request)
        } catch {
            return .answered(Self.response(for: error))
        }
    }

    /// The JSON error for a failure: ``HTTPProblem``'s own status, 404 for an unknown job, else 500.
    static func response(for error: any Error) -> HTTPResponse {
        switch error {
        case let problem as HTTPProblem:
            return problem.response
        case let error as JobStoreError:
            return error.code == .notFound ? HTTPReply.error(.notFound, error.message) : HTTPReply.error(.internalServerError, error.message)
        default:
            return HTTPReply.error(.internalServerError, "\(error)")
        }
    }

    private func route(_ request: HTTPRequest) throws -> HTTPHandling {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        switch (segments.first, segments.count) {
        case ("health", 1):
            try only("GET", request)
            return .answered(health())
        case ("readiness", 1):
            try only("GET", request)
            return .answered(readiness())
        case ("status", 1):
            try only("GET", request)
            return .answered(HTTPReply.json(try StatusDocument.build(status.snapshot, configuration: configuration, history: history, now: now())))
        case ("jobs", 1):
            try only("GET", request)
            return .answered(try jobs(request.query))
        case ("jobs", 2):
            try only("GET", request)
            guard let id = Int64(segments[1]), id > 0 else { throw HTTPProblem(.badRequest, "job id '\(segments[1])' is not a number") }
            return .answered(HTTPReply.json(JSONOutput.detailDocument(try history.detail(jobID: id))))
        case ("metrics", 1):
            try only("GET", request)
            return .answered(HTTPReply.metrics(try MetricsText.render(status: status.snapshot, configuration: configuration, history: history)))
        case ("reinit", 1):
            try only("POST", request)
            let body = try authorizedReinitBody(request)
            let router = self
            return .awaiting(limit: reinitTimeout) { gate in
                do {
                    return try await router.reinit(body, gate: gate)
                } catch {
                    return Self.response(for: error)
                }
            }
        default:
            throw HTTPProblem(.notFound, "no route \(request.method) \(request.path); see /status, /jobs, /metrics, /health, /readiness")
        }
    }

    /// Refuses any method but `method` (405 with `Allow`); `HEAD` goes with `GET` (the server sends the head only).
    private func only(_ method: String, _ request: HTTPRequest) throws(HTTPProblem) {
        let allowed = method == "GET" ? ["GET", "HEAD"] : [method]
        guard allowed.contains(request.method) else {
            let list = allowed.joined(separator: ", ")
            throw HTTPProblem(.methodNotAllowed, "\(request.path) answers \(list) only", headers: ["Allow": list])
        }
    }

    // MARK: - Probes

    /// 200 while the cycle ran within 2 × `loop_wait`.
    private func health() -> HTTPResponse {
        let snapshot = status.snapshot
        let limit = 2 * configuration.loopWait.seconds
        guard let last = snapshot.lastCycleAt else {
            return HTTPReply.json(
                .object([("healthy", .bool(false)), ("reason", .string("the cycle has not run yet"))]), status: .serviceUnavailable)
        }
        let age = now().timeIntervalSince(last)
        let document = JSONValue.object([
            ("healthy", .bool(age <= limit)), ("last_cycle_at", .string(Timestamp.format(last))),
            ("seconds_since_cycle", .number(Int64(age.rounded(.down)))),
            ("reason", age <= limit ? .null : .string("the cycle has not run for \(Int(age)) s (limit 2 × loop_wait = \(Int(limit)) s)")),
        ])
        return HTTPReply.json(document, status: age <= limit ? .ok : .serviceUnavailable)
    }

    /// 200 once the data dir is imaged and the instance verified, else 503 with the reason.
    private func readiness() -> HTTPResponse {
        let snapshot = status.snapshot
        if snapshot.imagedAndVerified {
            return HTTPReply.json(.object([("ready", .bool(true)), ("instance", .string(snapshot.instance.rawValue))]))
        }
        return HTTPReply.json(.object([("ready", .bool(false)), ("reason", .string(Self.notReadyReason(snapshot)))]), status: .serviceUnavailable)
    }

    static func notReadyReason(_ snapshot: NodeStatus.Snapshot) -> String {
        if snapshot.lastCycleAt == nil { return "the cycle has not run yet" }
        if let job = snapshot.currentJob {
            let method = job.attempt.map { ", running \($0.method)" } ?? ""
            return "imaging: \(job.kind) job \(job.id)\(method)"
        }
        if let problem = snapshot.dataDirProblem { return problem }
        if snapshot.dataDirState != "valid" { return "data dir is \(snapshot.dataDirState)" }
        return "the instance is \(snapshot.instance.rawValue), not verified running"
    }

    // MARK: - Jobs

    /// `GET /jobs?state=&kind=&limit=`: the document of `sidecar jobs list --json`.
    private func jobs(_ query: [HTTPRequest.QueryItem]) throws -> HTTPResponse {
        var filter = JobFilter(limit: 50)
        for item in query {
            switch item.name {
            case "state":
                guard let state = JobState(rawValue: item.value) else {
                    throw HTTPProblem(.badRequest, "state must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.state = state
            case "kind":
                guard let kind = JobKind(rawValue: item.value) else {
                    throw HTTPProblem(.badRequest, "kind must be one of \(JobKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                filter.kind = kind
            case "limit":
                guard let limit = Int(item.value), (1...10_000).contains(limit) else {
                    throw HTTPProblem(.badRequest, "limit must be a number from 1 to 10000")
                }
                filter.limit = limit
            default:
                throw HTTPProblem(.badRequest, "unknown parameter '\(item.name)': use state, kind, limit")
            }
        }
        return HTTPReply.json(JSONOutput.jobsDocument(try history.jobs(filter)))
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
