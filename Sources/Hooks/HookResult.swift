import Foundation

/// What one hook run produced: its outcome, times and the kept end of its output.
public struct HookResult: Sendable {
    public var outcome: HookOutcome
    public var startedAt: Date
    public var finishedAt: Date
    /// The last `tailBytes` bytes of stdout (raw bytes: not necessarily UTF-8).
    public var stdoutTail: [UInt8]
    /// The last `tailBytes` bytes of stderr.
    public var stderrTail: [UInt8]
    /// Total bytes written to stdout and stderr.
    public var outputBytes: Int64
    /// The process, if one was started.
    public var process: HookProcess?
    /// Why the output log (``HookInvocation/logPath``) is incomplete, if writing it failed during the run.
    public var logFailure: String?

    public init(
        outcome: HookOutcome,
        startedAt: Date,
        finishedAt: Date,
        stdoutTail: [UInt8] = [],
        stderrTail: [UInt8] = [],
        outputBytes: Int64 = 0,
        process: HookProcess? = nil,
        logFailure: String? = nil
    ) {
        self.outcome = outcome
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.stdoutTail = stdoutTail
        self.stderrTail = stderrTail
        self.outputBytes = outputBytes
        self.process = process
        self.logFailure = logFailure
    }
}
