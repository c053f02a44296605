import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Lets the owner of a running hook stop it: ``interrupt()`` (SIGTERM to the group, grace, SIGKILL) or
/// ``kill()`` (SIGKILL to the group at once). Both lead to ``HookOutcome/interrupted``.
///
/// A control is sticky: once interrupted, every later run given it is stopped as soon as it starts, so one
/// control can stand for a whole job. Cancelling the task that awaits ``HookRunner/run(_:sink:control:onStart:)``
/// has the same effect as ``interrupt()``.
public final class HookControl: Sendable {
    enum Request: Int, Comparable, Sendable {
        case none = 0
        case interrupt = 1
        case kill = 2

        static func < (lhs: Request, rhs: Request) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private struct State: Sendable {
        var request = Request.none
        /// The group of the hook now running (not yet reaped), and how to wake its watchdog.
        var processGroup: Int32?
        var notify: (@Sendable (Request) -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Asks the running hook (and any started later with this control) to stop: SIGTERM, grace, SIGKILL.
    public func interrupt() { raise(.interrupt) }

    /// Sends SIGKILL to the running hook's process group at once (e.g. on a second SIGTERM to the daemon).
    public func kill() { raise(.kill) }

    /// Whether ``interrupt()`` or ``kill()`` was called.
    public var isInterrupted: Bool { state.withLock { $0.request != .none } }

    var request: Request { state.withLock { $0.request } }

    private func raise(_ request: Request) {
        state.withLock { state in
            guard request > state.request else { return }
            state.request = request
            if request == .kill, let group = state.processGroup {
                ProcessGroup.send(SIGKILL, to: group)
            }
            state.notify?(request)
        }
    }

    /// Registers the running hook; a request made earlier is delivered at once.
    func attach(processGroup: Int32, notify: @escaping @Sendable (Request) -> Void) {
        state.withLock { state in
            state.processGroup = processGroup
            state.notify = notify
            if state.request == .kill { ProcessGroup.send(SIGKILL, to: processGroup) }
            if state.request != .none { notify(state.request) }
        }
    }

    /// Forgets the hook before it is reaped, so that no later call can signal a reused process group.
    func detach() {
        state.withLock { state in
            state.processGroup = nil
            state.notify = nil
        }
    }
}
