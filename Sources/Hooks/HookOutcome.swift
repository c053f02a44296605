/// How one hook run ended. A value, never a thrown error (SPEC §6).
public enum HookOutcome: Sendable, Equatable {
    /// Exit status 0.
    case succeeded
    /// A non-zero exit status.
    case failed(exitCode: Int32)
    /// Killed by a signal that sidecar did not send.
    case signalled(Int32)
    /// Stopped by sidecar because the wall-clock limit passed.
    case timedOut
    /// Stopped by sidecar because the job was cancelled or the daemon is stopping.
    case interrupted
    /// Never started, with the reason and the fix (missing, not executable, unsafe...).
    case notRun(reason: String)

    /// The word stored in the job database: `succeeded`, `failed`, `signalled`, `timed_out`, `interrupted`, `not_run`.
    public var name: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .signalled: "signalled"
        case .timedOut: "timed_out"
        case .interrupted: "interrupted"
        case .notRun: "not_run"
        }
    }

    public var exitCode: Int32? {
        switch self {
        case .succeeded: 0
        case .failed(let code): code
        default: nil
        }
    }

    public var signal: Int32? {
        if case .signalled(let n) = self { return n }
        return nil
    }

    public var isSuccess: Bool { self == .succeeded }
}
