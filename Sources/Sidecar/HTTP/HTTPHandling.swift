import Synchronization

/// How the server answers a request: at once on the connection's own thread, or by a task when the work awaits.
enum HTTPHandling: Sendable {
    /// The answer, made on the connection's thread (quick work, possibly blocking such as a SQLite read: it holds only
    /// that thread, never Swift's cooperative pool, which the daemon's cycle and lease renewal need).
    case answered(HTTPResponse)
    /// An answer that awaits (the DCS), made by a task; the connection waits for it at most `limit`, then answers
    /// 500. The task calls ``HTTPCommitGate/commit()`` right before an effect the client must not miss.
    case awaiting(limit: Duration, @Sendable (HTTPCommitGate) async -> HTTPResponse)
}

/// Decides, once, between an awaiting handler taking effect and its connection giving up on it (answering 500 after
/// the handler's limit), so a client told that its request failed never finds it done after all.
final class HTTPCommitGate: Sendable {
    private enum State {
        case open, committed, abandoned
    }

    private let state = Mutex(State.open)

    /// Whether the handler may take its effect now: `true` unless the connection already gave up (then it answered
    /// 500 and the handler must not act). After `true` the connection waits for the handler's answer.
    func commit() -> Bool {
        state.withLock { state in
            guard state == .open else { return state == .committed }
            state = .committed
            return true
        }
    }

    /// Gives up on the handler unless it committed; whether it gave up.
    func abandon() -> Bool {
        state.withLock { state in
            guard state == .open else { return state == .abandoned }
            state = .abandoned
            return true
        }
    }
}
