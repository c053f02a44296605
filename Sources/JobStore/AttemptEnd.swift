import Foundation

/// What `AuditHistory.closeAttempt` records when a method has run.
public struct AttemptEnd: Sendable, Equatable {
    public var outcome: AttemptOutcome
    /// More words about the outcome (the reason of a `not_run`, the step that failed), masked before storing.
    public var detail: String?
    public var exitCode: Int32?
    public var signal: Int32?
    /// The last bytes of stdout, raw (not necessarily UTF-8).
    public var stdoutTail: [UInt8]
    /// The last bytes of stderr, raw.
    public var stderrTail: [UInt8]
    /// Total bytes the hook wrote to stdout and stderr.
    public var outputBytes: Int64
    /// Where the full output went, when it was not known at `openAttempt`.
    public var logPath: String?
    /// When the method ended, when that was before the close is written (a close folded into the next attempt's
    /// open); `nil`: the time of the close.
    public var finishedAt: Date?

    public init(
        outcome: AttemptOutcome, detail: String? = nil, exitCode: Int32? = nil, signal: Int32? = nil, stdoutTail: [UInt8] = [],
        stderrTail: [UInt8] = [], outputBytes: Int64 = 0, logPath: String? = nil, finishedAt: Date? = nil
    ) {
        self.outcome = outcome
        self.detail = detail
        self.exitCode = exitCode
        self.signal = signal
        self.stdoutTail = stdoutTail
        self.stderrTail = stderrTail
        self.outputBytes = outputBytes
        self.logPath = logPath
        self.finishedAt = finishedAt
    }
}
