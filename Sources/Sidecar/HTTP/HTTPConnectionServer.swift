import Foundation
import Logging
import Synchronization

/// A small HTTP/1.1 server over POSIX sockets: one thread accepts, one thread serves each connection (at most
/// ``Limits/maxConnections`` at once; more wait in the listen backlog). Every connection is bounded: its request
/// must arrive whole within ``Limits/requestTimeout`` (a silent or trickling client is closed, with 408 if it sent
/// something), the head within `maxHeadBytes` and the body within `maxBodyBytes`; a malformed request is answered
/// 4xx with a JSON error before the connection closes (lingering, so the answer is not lost to a reset). The handler
/// runs on the connection's thread; only an ``HTTPHandling/awaiting(limit:_:)`` answer runs as a task, waited for
/// within its limit (then 500). So connections never hold the cooperative pool the daemon's cycle and worker need.
final class HTTPConnectionServer: Sendable {
    struct Limits: Sendable {
        var parser = HTTPRequestParser.Limits()
        /// A request must arrive whole within this, counted from the connection's start or the previous answer.
        var requestTimeout: Duration = .seconds(10)
        var maxConnections = 256
        /// The stack of each connection's thread.
        var threadStackBytes = 512 * 1024
        /// After a refusal the server stops sending and reads and discards what the client still sends, at most this
        /// long and this much, before it closes.
        var lingerTime: Duration = .seconds(1)
        var lingerBytes = 64 * 1024
        /// How long an awaiting handler that committed its effect (``HTTPCommitGate/commit()``) is still waited for
        /// after its limit, so its answer reports what it did.
        var committedGrace: Duration = .seconds(10)
    }

    /// Answers a request, on the connection's thread.
    typealias Handler = @Sendable (HTTPRequest) -> HTTPHandling

    let limits: Limits
    let handler: Handler
    let logger: Logger
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var stopping = false
        var connections = 0
        var accepting = Accepting.notStarted
        /// ``run()`` waiting for the accept thread to end.
        var waiter: CheckedContinuation<Void, Never>?
    }

    private enum Accepting {
        case notStarted, running, ended
    }

    /// Serves on `listener` (a bound, listening socket, which the server closes when it stops).
    init(listener: Int32, limits: Limits = Limits(), logger: Logger = Logger(label: "sidecar.http"), handler: @escaping Handler) {
        self.listener = listener
        self.limits = limits
        self.logger = logger
        self.handler = handler
    }

    /// Starts accepting on a thread of its own, at once (``run()`` does it too; a second call does nothing). When no
    /// thread can be started the error is logged and the server is off.
    func start() {
        let starting = state.withLock { state in
            guard state.accepting == .notStarted else { return false }
            state.accepting = .running
            return true
        }
        guard starting else { return }
        let started = POSIXThread.start(name: "sidecar-http", stackBytes: 512 * 1024) { [self] in
            acceptUntilStopped()
            acceptingEnded()
        }
        if started != 0 {
            logger.error("http: could not start the accept thread (\(String(cString: strerror(started)))); the status server is off")
            close(listener)
            acceptingEnded()
        }
    }

    /// Accepts (``start()``) until ``stop()``, then waits up to a second for open connections to finish their answer.
    func run() async {
        start()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let ended = state.withLock { state in
                if state.accepting != .ended { state.waiter = done }
                return state.accepting == .ended
            }
            if ended { done.resume() }
        }
        let deadline = ContinuousClock.now + .seconds(1)
        while connections > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private func acceptingEnded() {
        let waiter = state.withLock { state in
            state.accepting = .ended
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Stops accepting; connections close after their current answer (idle ones within a quarter second).
    func stop() {
        state.withLock { $0.stopping = true }
    }

    var stopping: Bool { state.withLock { $0.stopping } }

    /// The connections being served now.
    var connections: Int { state.withLock { $0.connections } }

    private func acceptUntilStopped() {
        defer { close(listener) }
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !stopping {
            // At the connection limit, new clients wait in the listen backlog until a connection ends.
            guard connections < limits.maxConnections else {
                usleep(5_000)
                continue
            }
            guard poll(&poller, 1, 250) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                // Out of descriptors or memory, the listener stays readable: wait instead of spinning.
                if ![EINTR, EAGAIN, EWOULDBLOCK, ECONNABORTED].contains(errno) { usleep(10_000) }
                continue
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            state.withLock { $0.connections += 1 }
            let started = POSIXThread.start(name: "sidecar-http-c", stackBytes: limits.threadStackBytes) { [self] in
                if serve(connection) == .linger { lingeringClose(connection) }
                close(connection)
                state.withLock { $0.connections -= 1 }
            }
            if started != 0 {
                refuseWithoutThread(connection, error: started)
                close(connection)
                state.withLock { $0.connections -= 1 }
            }
        }
    }

    /// Answers 503 on a connection no thread could be started for (the pids limit, memory), without blocking the
    /// accept thread: the answer fits an empty send buffer, and what the client already sent is read away so the
    /// close is not a reset.
    private func refuseWithoutThread(_ connection: Int32, error: Int32) {
        logger.warning("http: no thread for a connection (\(String(cString: strerror(error)))); answered 503")
        let refusal = HTTPReply.error(.serviceUnavailable, "the server cannot start a thread for this connection now; try again")
        let bytes = refusal.serialized(keepAlive: false)
        _ = bytes.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        shutdown(connection, Int32(SHUT_WR))
        var discard = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<16 {
            guard discard.withUnsafeMutableBytes({ recv(connection, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 else { break }
        }
    }
}
