import Dispatch
import Foundation
import Logging
import Synchronization

/// A small HTTP/1.1 server over POSIX sockets: one thread accepts, one thread serves each connection (at most
/// ``Limits/maxConnections`` at once; more wait in the listen backlog). Every connection is bounded: its request
/// must arrive whole within ``Limits/requestTimeout`` (a silent or trickling client is closed, with 408 if it sent
/// something), the head within `maxHeadBytes` and the body within `maxBodyBytes`; a malformed request is answered
/// 4xx with a JSON error before the connection closes. Handlers run as tasks; the connection's thread waits for them
/// at most ``Limits/handlerTimeout`` (then 500). Nothing here runs on the cooperative pool but the handlers, so
/// connections never hold the daemon's cycle or worker.
final class HTTPConnectionServer: Sendable {
    struct Limits: Sendable {
        var parser = HTTPRequestParser.Limits()
        var requestTimeout: Duration = .seconds(10)
        var handlerTimeout: Duration = .seconds(15)
        var maxConnections = 256
    }

    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    private let listener: Int32
    private let limits: Limits
    private let handler: Handler
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var stopping = false
        var connections = 0
    }

    /// Serves on `listener` (a bound, listening socket, which the server closes when it stops).
    init(listener: Int32, limits: Limits = Limits(), logger: Logger, handler: @escaping Handler) {
        self.listener = listener
        self.limits = limits
        self.logger = logger
        self.handler = handler
    }

    /// Accepts until ``stop()``, then waits up to a second for open connections to finish their answer.
    func run() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                acceptUntilStopped()
                done.resume()
            }
            thread.name = "sidecar-http"
            thread.start()
        }
        let deadline = ContinuousClock.now + .seconds(1)
        while state.withLock({ $0.connections }) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops accepting; connections close after their current answer (idle ones within a quarter second).
    func stop() {
        state.withLock { $0.stopping = true }
    }

    private var stopping: Bool { state.withLock { $0.stopping } }

    private func acceptUntilStopped() {
        defer { close(listener) }
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !stopping {
            // At the connection limit, new clients wait in the listen backlog until a connection ends.
            guard state.withLock({ $0.connections }) < limits.maxConnections else {
                usleep(5_000)
                continue
            }
            guard poll(&poller, 1, 250) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            state.withLock { $0.connections += 1 }
            let thread = Thread { [self] in
                serve(connection)
                close(connection)
                state.withLock { $0.connections -= 1 }
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    /// Answers requests on one connection until the client closes, asks to close, times out or errs.
    private func serve(_ connection: Int32) {
        // Reads wake at least every 250 ms to notice a stop and the request deadline.
        var wake = timeval(tv_sec: 0, tv_usec: 250_000)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &wake, socklen_t(MemoryLayout<timeval>.size))
        var sendLimit = timeval(tv_sec: Int(limits.requestTimeout.components.seconds), tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &sendLimit, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var deadline = ContinuousClock.now + limits.requestTimeout
        while true {
            switch HTTPRequestParser.parse(received, limits: limits.parser) {
            case .refused(let status, let reason):
                logger.debug("http: refused a request: \(status.code) \(reason)")
                send(HTTPReply.error(status, reason).serialized(keepAlive: false), on: connection)
                return
            case .request(let request, let consumed):
                received.removeFirst(consumed)
                let keepAlive = request.keepAlive && !stopping
                let response = answer(request)
                let closing = !keepAlive || response.headers["Connection"]?.lowercased() == "close"
                guard send(response.serialized(keepAlive: !closing, includeBody: request.method != "HEAD"), on: connection), !closing else { return }
                deadline = ContinuousClock.now + limits.requestTimeout
            case .incomplete:
                if stopping, received.isEmpty { return }
                if ContinuousClock.now >= deadline {
                    if !received.isEmpty {
                        let timeout = HTTPReply.error(.requestTimeout, "the request did not arrive within \(limits.requestTimeout)")
                        send(timeout.serialized(keepAlive: false), on: connection)
                    }
                    return
                }
                let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    received.append(contentsOf: chunk[0..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    return
                }
            }
        }
    }

    /// The handler's answer, or 500 when it takes longer than the handler timeout.
    private func answer(_ request: HTTPRequest) -> HTTPResponse {
        let result = AnswerBox()
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        let task = Task {
            let response = await handler(request)
            result.response.withLock { $0 = response }
            done.signal()
        }
        let seconds = Double(limits.handlerTimeout.components.seconds)
        guard done.wait(timeout: .now() + seconds) == .success, let response = result.response.withLock({ $0 }) else {
            task.cancel()
            logger.warning("http: \(request.method) \(request.path) took over \(limits.handlerTimeout); answered 500")
            return HTTPReply.error(.internalServerError, "the request took over \(limits.handlerTimeout)", headers: ["Connection": "close"])
        }
        return response
    }

    /// Writes all of `bytes` (within the send timeout); whether it could.
    @discardableResult
    private func send(_ bytes: [UInt8], on connection: Int32) -> Bool {
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
}

/// Where a handler's task leaves its answer for the connection's thread.
private final class AnswerBox: Sendable {
    let response = Mutex<HTTPResponse?>(nil)
}
