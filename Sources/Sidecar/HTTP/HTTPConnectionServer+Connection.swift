import Dispatch
import Foundation
import Synchronization

extension HTTPConnectionServer {
    /// How a served connection ends.
    enum Ending {
        /// Close at once: the client has nothing more to send (it closed, or its request was answered).
        case close
        /// The client may still be sending (a refused request): ``lingeringClose(_:)`` first.
        case linger
    }

    /// Answers requests on one connection until the client closes, asks to close, times out or errs.
    func serve(_ connection: Int32) -> Ending {
        // Reads wake at least every 250 ms to notice a stop and the request deadline.
        var wake = timeval(tv_sec: 0, tv_usec: 250_000)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &wake, socklen_t(MemoryLayout<timeval>.size))
        var sendLimit = Self.socketTimeout(limits.requestTimeout)
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &sendLimit, socklen_t(MemoryLayout<timeval>.size))
        var reader = HTTPRequestReader(limits: limits.parser)
        var chunk = [UInt8](repeating: 0, count: 4096)
        var deadline = ContinuousClock.now + limits.requestTimeout
        while true {
            switch reader.next() {
            case .refused(let status, let reason):
                logger.debug("http: refused a request: \(status.code) \(reason)")
                send(HTTPReply.error(status, reason).serialized(keepAlive: false), on: connection)
                return .linger
            case .request(let request, _):
                let keepAlive = request.keepAlive && !stopping
                let response = answer(request)
                let closing = !keepAlive || response.headers["Connection"]?.lowercased() == "close"
                guard send(response.serialized(keepAlive: !closing, includeBody: request.method != "HEAD"), on: connection) else {
                    return .close
                }
                if closing { return reader.isEmpty ? .close : .linger }
                deadline = ContinuousClock.now + limits.requestTimeout
            case .incomplete:
                if stopping, reader.isEmpty { return .close }
                if ContinuousClock.now >= deadline {
                    guard !reader.isEmpty else { return .close }
                    let timeout = HTTPReply.error(.requestTimeout, "the request did not arrive within \(limits.requestTimeout)")
                    send(timeout.serialized(keepAlive: false), on: connection)
                    return .linger
                }
                let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    reader.append(chunk[0..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    return .close
                }
            }
        }
    }

    /// The handler's answer: made here, or by its task within its limit (else 500).
    private func answer(_ request: HTTPRequest) -> HTTPResponse {
        switch handler(request) {
        case .answered(let response):
            return response
        case .awaiting(let limit, let work):
            return waitForTask(work, within: limit, for: request)
        }
    }

    /// Runs `work` as a task and waits for its answer at most `limit`; then gives up (500) unless the work committed
    /// its effect, whose answer is waited for a while longer.
    private func waitForTask(
        _ work: @escaping @Sendable (HTTPCommitGate) async -> HTTPResponse, within limit: Duration, for request: HTTPRequest
    ) -> HTTPResponse {
        let result = Mutex<HTTPResponse?>(nil)
        let gate = HTTPCommitGate()
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            let response = await work(gate)
            result.withLock { $0 = response }
            done.signal()
        }
        if done.wait(timeout: .now() + limit.seconds) == .success, let response = result.withLock({ $0 }) { return response }
        if gate.abandon() {
            task.cancel()
            logger.warning("http: \(request.method) \(request.path) took over \(limit); answered 500")
            return HTTPReply.error(
                .internalServerError, "the request took over \(limit) and was given up: nothing was done", headers: ["Connection": "close"])
        }
        if done.wait(timeout: .now() + limits.committedGrace.seconds) == .success, let response = result.withLock({ $0 }) { return response }
        logger.warning("http: \(request.method) \(request.path) took over \(limit) after it took effect; answered 500")
        return HTTPReply.error(
            .internalServerError, "the request took over \(limit + limits.committedGrace) but was acted on: check its outcome (/jobs)",
            headers: ["Connection": "close"])
    }

    /// Closes a connection whose client may still be sending without losing the answer just sent: closing with unread
    /// bytes makes the kernel reset the connection, and the client may then see "connection reset" instead of the
    /// answer. So the server ends its side first (FIN), reads and discards what still comes (at most
    /// ``Limits/lingerTime`` and ``Limits/lingerBytes``, less if the client closes), and the caller then closes.
    func lingeringClose(_ connection: Int32) {
        shutdown(connection, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + limits.lingerTime
        var discarded = 0
        var chunk = [UInt8](repeating: 0, count: 4096)
        while discarded < limits.lingerBytes, ContinuousClock.now < deadline {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                discarded += count
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return
            }
        }
    }

    /// Writes all of `bytes` (within the send timeout); whether it could.
    @discardableResult
    func send(_ bytes: [UInt8], on connection: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    /// `duration` as a socket timeout, sub-second part included (at least a microsecond: zero means none).
    static func socketTimeout(_ duration: Duration) -> timeval {
        let parts = duration.components
        let microseconds = Int(parts.attoseconds / 1_000_000_000_000)
        return timeval(tv_sec: Int(parts.seconds), tv_usec: parts.seconds == 0 && microseconds == 0 ? 1 : microseconds)
    }
}
