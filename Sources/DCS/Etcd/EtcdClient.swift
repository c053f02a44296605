import Foundation

/// A thin client of etcd's v3 JSON gateway over one reused libcurl handle.
///
/// Synchronous and not thread-safe: ``DCSSession`` calls it from its own serial queue. Every call is bounded by
/// `retryTimeout`; hosts are tried in turn on a connection failure, starting with the last one that answered.
final class EtcdClient: @unchecked Sendable {
    // @unchecked: the mutable state below is only touched from the owning session's serial queue.
    private let endpoints: [String]
    private let retryTimeout: Duration
    private let credentials: (username: String, password: String)?
    private let curl: CurlHandle
    private var current = 0
    private var token: String?

    init(configuration: EtcdDCS.Configuration) throws(DCSError) {
        guard !configuration.hosts.isEmpty else {
            throw DCSError(.configuration, "etcd3 has no hosts; set etcd3.host or etcd3.hosts")
        }
        endpoints = configuration.hosts.map { host in
            let base = host.contains("://") ? host : "\(configuration.protocol)://\(host)"
            return base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        retryTimeout = configuration.retryTimeout
        credentials = configuration.username.map { ($0, configuration.password ?? "") }
        curl = try CurlHandle(tls: .init(caFile: configuration.cacert, certFile: configuration.cert, keyFile: configuration.key))
    }

    /// Replaces the auth token, as if it had expired (tests).
    func replaceTokenForTesting(_ token: String) { self.token = token }

    /// The endpoint that answered last (for status output).
    var activeEndpoint: String { endpoints[current] }

    /// POSTs `body` to `path` (`/v3/kv/range`...) and returns the decoded JSON object of a 200 answer.
    /// Throws `.unreachable` if no host answered within `retryTimeout`, ``EtcdClient/Refusal`` wrapped in
    /// `.protocolError` for an etcd error answer.
    func call(_ path: String, _ body: [String: Any]) throws(DCSError) -> [String: Any] {
        let deadline = ContinuousClock.now + retryTimeout
        if credentials != nil, token == nil { try authenticate(deadline: deadline) }
        do {
            return try post(path, body, deadline: deadline)
        } catch let error where credentials != nil && Self.isAuthFailure(error) {
            token = nil
            try authenticate(deadline: deadline)
            return try post(path, body, deadline: deadline)
        }
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

    private func authenticate(deadline: ContinuousClock.Instant) throws(DCSError) {
        guard let credentials else { return }
        let answer: [String: Any]
        do {
            answer = try post("/v3/auth/authenticate", ["name": credentials.username, "password": credentials.password], deadline: deadline)
        } catch  where error.code == .protocolError {
            throw DCSError(.protocolError, "etcd refused user '\(credentials.username)'; check etcd3.username and etcd3.password", cause: error.cause)
        }
        guard let token = answer["token"] as? String, !token.isEmpty else {
            throw DCSError(.protocolError, "etcd's /v3/auth/authenticate answered without a token; is auth enabled on the cluster?")
        }
        self.token = token
    }

    private func post(_ path: String, _ body: [String: Any], deadline: ContinuousClock.Instant) throws(DCSError) -> [String: Any] {
        let data: Data
        do { data = try JSONSerialization.data(withJSONObject: body) } catch {
            throw DCSError(.protocolError, "could not encode an etcd request for \(path)", cause: error)
        }
        let headers = token.map { ["Authorization: \($0)"] } ?? []
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
            let index = (current + attempt) % endpoints.count
            let timeout = min(remaining, perHost)
            switch curl.post(url: endpoints[index] + path, body: data, headers: headers, timeout: timeout, connectTimeout: timeout) {
            case .success(let (status, payload)) where [502, 503, 504].contains(status):
                // This member has no leader or is shutting down: like a connection failure, try the next host.
                failures.append("\(endpoints[index]): HTTP \(status) \(String(decoding: payload.prefix(200), as: UTF8.self))")
                attempt += 1
                if attempt % endpoints.count == 0 { pause(until: deadline) }
            case .success(let (status, payload)):
                current = index
                return try decode(path, status: status, payload: payload)
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

    private func decode(_ path: String, status: Int, payload: Data) throws(DCSError) -> [String: Any] {
        let object = (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any]
        guard status == 200 else {
            let refusal = Refusal(
                status: status,
                grpcCode: (object?["code"] as? NSNumber)?.intValue,
                message: object?["message"] as? String ?? object?["error"] as? String ?? String(decoding: payload.prefix(300), as: UTF8.self)
            )
            throw DCSError(.protocolError, "etcd refused \(path)", cause: refusal)
        }
        guard let object else {
            throw DCSError(.protocolError, "etcd answered \(path) with something that is not a JSON object")
        }
        return object
    }
}
