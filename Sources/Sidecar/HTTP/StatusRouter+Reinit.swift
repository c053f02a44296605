import DCS
import Foundation
import Imaging
import JobStore

extension StatusRouter {
    /// `POST /reinit`'s request checks, made before anything awaits: without a configured token the route is off
    /// (403); a wrong or missing token is 401; a body other than empty or `{"from_leader": bool, "force": bool}` is
    /// 400. Throws ``HTTPProblem``; returns the body's options.
    func authorizedReinitBody(_ request: HTTPRequest) throws(HTTPProblem) -> ReinitBody {
        guard let token = apiToken else {
            throw HTTPProblem(.forbidden, "POST /reinit is disabled: set sidecar.api_token to enable it")
        }
        guard let presented = Self.bearer(request.headers["Authorization"]), Self.constantTimeEqual(presented, token) else {
            throw HTTPProblem(
                .unauthorized, "POST /reinit needs Authorization: Bearer <sidecar.api_token>", headers: ["WWW-Authenticate": "Bearer"])
        }
        return try Self.reinitBody(Data(request.body))
    }

    /// `POST /reinit` once authorized: the same check as `sidecar reinit` (``ReinitCheck``: refused on the leader
    /// and, unless `force`, without a clone source; 409), then a queued `replica` job (202), or 409 with the data dir's
    /// unfinished job; the DCS unreachable is 503. The job is queued only if `gate` still lets it (the connection has
    /// not given up and answered 500). Throws ``HTTPProblem`` and ``JobStoreError``.
    func reinit(_ body: ReinitBody, gate: HTTPCommitGate) async throws -> HTTPResponse {
        let view: ClusterView
        do {
            view = try await dcs.cluster()
        } catch {
            throw HTTPProblem(.serviceUnavailable, "DCS: \(error.message); try again when it is reachable")
        }
        if case .refused(let reason) = ReinitCheck(fromLeader: body.fromLeader, force: body.force).verdict(view, decider: configuration.decider) {
            throw HTTPProblem(.conflict, "refusing to reinit: \(reason)")
        }
        guard gate.commit() else {
            throw HTTPProblem(.serviceUnavailable, "the request took too long and was given up; nothing was queued")
        }
        let enqueued = try ReinitRequest.enqueue(
            configuration, queue: queue, fromLeader: body.fromLeader, force: body.force, source: .http, now: now())
        switch enqueued {
        case .created(let job):
            return HTTPReply.json(.object([("created", .bool(true)), ("job", JSONOutput.job(job))]), status: .accepted)
        case .existing(let job):
            return HTTPReply.json(
                .object([
                    ("created", .bool(false)),
                    (
                        "error",
                        .string(
                            "job \(job.id) (\(job.kind.rawValue), \(job.state.rawValue)) is unfinished for this data dir; wait for it or cancel it")
                    ),
                    ("job", JSONOutput.job(job)),
                ]), status: .conflict)
        }
    }

    /// The options of an empty body or a JSON object with only `from_leader` and `force` (booleans). Throws
    /// ``HTTPProblem`` (400).
    static func reinitBody(_ body: Data) throws(HTTPProblem) -> ReinitBody {
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return ReinitBody() }
        guard let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw HTTPProblem(.badRequest, "the body must be a JSON object such as {\"from_leader\": true}")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "from_leader" && $0 != "force" }) {
            throw HTTPProblem(.badRequest, "unknown key '\(unknown)': the body takes from_leader and force")
        }
        guard let decoded = try? JSONDecoder().decode(ReinitBody.self, from: body) else {
            throw HTTPProblem(.badRequest, "from_leader and force must be true or false")
        }
        return decoded
    }

    /// `POST /reinit`'s body.
    struct ReinitBody: Decodable {
        var fromLeader = false
        var force = false

        init() {}

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fromLeader = try container.decodeIfPresent(Bool.self, forKey: .fromLeader) ?? false
            force = try container.decodeIfPresent(Bool.self, forKey: .force) ?? false
        }

        enum CodingKeys: String, CodingKey {
            case fromLeader = "from_leader"
            case force
        }
    }

    /// The token of `Bearer <token>` (scheme case-insensitive), or `nil`.
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// Compares without stopping at the first difference, so timing does not reveal the token.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
