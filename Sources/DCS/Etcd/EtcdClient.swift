import Foundation
import Synchronization

/// A thin client of etcd's v3 JSON gateway over one reused libcurl handle.
///
/// Synchronous and blocking: ``DCSSession`` calls it from its own serial queue, and a mutex around the handle keeps
/// it safe anyway. Every call is bounded by `retryTimeout`; hosts are tried in turn on a connection failure,
/// starting with the last one that answered.
final class EtcdClient: Sendable {
    private let endpoints: [String]
    private let retryTimeout: Duration
    private let credentials: Credentials?
    private let link: Mutex<Link>

    private struct Credentials {
        var username: String
        var password: String
    }

    /// The connection state: the reused handle, the host that answered last, the auth token.
    private struct Link {
        let curl: CurlHandle
        var current = 0
        var token: String?
    }

    init(configuration: EtcdDCS.Configuration) throws(DCSError) {
        guard !configuration.hosts.isEmpty else {
            throw DCSError(.configuration, "etcd3 has no hosts; set etcd3.host or etcd3.hosts")
        }
        endpoints = configuration.hosts.map { host in
            let base = host.contains("://") ? host : "\(configuration.protocol)://\(host)"
            return base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        retryTimeout = configuration.retryTimeout
        credentials = configuration.username.map { Credentials(username: $0, password: configuration.password ?? "") }
        let curl = try CurlHandle(tls: .init(caFile: configuration.cacert, certFile: configuration.cert, keyFile: configuration.key))
        link = Mutex(Link(curl: curl))
    }

    /// Replaces the auth token, as if it had expired (tests).
    func replaceTokenForTesting(_ token: String) { link.withLock { $0.token = token } }

    /// The endpoint that answered last (for status output).
    var activeEndpoint: String { endpoints[link.withLock { $0.current }] }

    /// POSTs `body` to `path` (`/v3/kv/range`...) and returns the decoded JSON object of a 200 answer.
    /// Throws `.unreachable` if no host answered within `retryTimeout`, ``EtcdClient/Refusal`` wrapped in
    /// `.protocolError` for an etcd error answer.
    func call(_ path: String, _ body: [String: Any]) throws(DCSError) -> [String: Any] {
        let deadline = ContinuousClock.now + retryTimeout
        let request: Data
        do { request = try JSONSerialization.data(withJSONObject: body) } catch {
            throw DCSError(.protocolError, "could not encode an etcd request for \(path)", cause: error)
        }
        let answer = try link.withLock { link throws(DCSError) -> Data in
            if credentials != nil, link.token == nil { try authenticate(&link, deadline: deadline) }
            do throws(DCSError) {
                return try post(&link, path, request, deadline: deadline)
            } catch let error where credentials != nil && Self.isAuthFailure(error) {
                link.token = nil
                try authenticate(&link, deadline: deadline)
                return try post(&link, path, request, deadline: deadline)
            }
        }
        guard let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any] else {
            throw DCSError(.protocolError, "etcd answered \(path) with something that is not a JSON object")
        }
        return object
    }

    /// An etcd answer other than 200: HTTP status, gRPC code and message.
    struct Refusal: Error, CustomStringConvertible {
        var status: Int
        var grpcCode: Int?
        var message: String
        var description: String { "HTTP \(status), code \(grpcCode.map(String.init) ?? "-"): \(message)" }
    }

    private static func isAuthFailure(_ error: DCSError) -> Bool {
        guard let refusal = error.cause as? Refusal else { return false }
        return refusal.status == 401 || refusal.grpcCode == 16 || refusal.message.contains("auth token")
    }

    private func authenticate(_ link: inout Link, deadline: ContinuousClock.Instant) throws(DCSError) {
        guard let credentials else { return }
        let answer: Data
        do {
            let request = try? JSONSerialization.data(withJSONObject: ["name": credentials.username, "password": credentials.password])
            answer = try post(&link, "/v3/auth/authenticate", request ?? Data(), deadline: deadline)
        } catch  where error.code == .protocolError {
            let said = (error.cause as? Refusal)?.message ?? ""
            if said.contains("CommonName") {
                // etcd's JSON gateway refuses every request whose client certificate has a CN once auth is enabled.
                throw DCSError(
                    .protocolError,
                    "etcd's JSON gateway refuses a client certificate with a CommonName while auth is enabled (\(said)); "
                        + "use a client certificate without CN for etcd3.cert", cause: error.cause)
            }
            throw DCSError(
                .protocolError, "etcd refused user '\(credentials.username)' (\(said)); check etcd3.username and etcd3.password", cause: error.cause)
        }
        let object = (try? JSONSerialization.jsonObject(with: answer)) as? [String: Any]
        guard let token = object?["token"] as? String, !token.isEmpty else {
            throw DCSError(.protocolError, "etcd's /v3/auth/authenticate answered without a token; is auth enabled on the cluster?")
        }
        link.token = token
    }

    /// POSTs to the hosts in turn until one answers (its body returned for a 200) or the deadline passes.
    private func post(_ link: inout Link, _ path: String, _ data: Data, deadline: ContinuousClock.Instant) throws(DCSError) -> Data {
        let headers = link.token.map { ["Authorization: \($0)"] } ?? []
        let perHost = max(Duration.milliseconds(500), retryTimeout / max(1, endpoints.count))
        var failures: [String] = []
        var attempt = 0
        while true {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero {
                throw DCSError(
                    .unreachable,
                    "no etcd host answered \(path) within retry_timeout \(retryTimeout) (tried \(endpoints.joined(separator: ", "))); "
                        + "sidecar waits and retries next cycle",
                    cause: CurlHandle.Failure(code: 0, message: failures.suffix(endpoints.count).joined(separator: "; "))
                )
            }
            let index = (link.current + attempt) % endpoints.count
            let timeout = min(remaining, perHost)
            switch link.curl.post(url: endpoints[index] + path, body: data, headers: headers, timeout: timeout, connectTimeout: timeout) {
            case .success(let (status, payload)) where [502, 503, 504].contains(status):
                // This member has no leader or is shutting down: like a connection failure, try the next host.
                failures.append("\(endpoints[index]): HTTP \(status) \(String(decoding: payload.prefix(200), as: UTF8.self))")
                attempt += 1
                if attempt % endpoints.count == 0 { pause(until: deadline) }
            case .success(let (status, payload)):
                link.current = index
                return try check(path, status: status, payload: payload)
            case .failure(let failure):
                failures.append("\(endpoints[index]): \(failure.message)")
                attempt += 1
                if attempt % endpoints.count == 0 { pause(until: deadline) }
            }
        }
    }

    /// Every host failed once: wait a little before the next round, never past the deadline.
    private func pause(until deadline: ContinuousClock.Instant) {
        let pause = min(Duration.milliseconds(100), max(.zero, deadline - ContinuousClock.now))
        Thread.sleep(forTimeInterval: pause.secondsDouble)
    }

    /// A 200's body, or the etcd error answer as a ``Refusal``.
    private func check(_ path: String, status: Int, payload: Data) throws(DCSError) -> Data {
        guard status == 200 else {
            let object = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
            let refusal = Refusal(
                status: status,
                grpcCode: (object?["code"] as? NSNumber)?.intValue,
                message: object?["message"] as? String ?? object?["error"] as? String ?? String(decoding: payload.prefix(300), as: UTF8.self)
            )
            throw DCSError(.protocolError, "etcd refused \(path)", cause: refusal)
        }
        return payload
    }
}
