import Foundation

/// One run of one method inside a job, as stored (SPEC §7).
public struct Attempt: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var jobID: Int64
    /// 1 for the job's first attempt, 2 for the next, ... (what `sidecar jobs logs ID N` takes).
    public var number: Int
    /// The job's pass (its cycle count when the attempt ran).
    public var cycle: Int
    public var position: Int
    public var method: String
    public var command: String?
    /// The argv, secrets masked.
    public var argv: [String]
    public var cloneSource: String?
    public var startedAt: Date
    public var finishedAt: Date?
    /// `nil` while the attempt is open.
    public var outcome: AttemptOutcome?
    public var detail: String?
    public var exitCode: Int32?
    public var signal: Int32?
    public var stdoutTail: [UInt8]
    public var stderrTail: [UInt8]
    public var outputBytes: Int64
    public var logPath: String?
    /// The hook process, once `attemptStarted` recorded it.
    public var process: AttemptProcess?
    /// The last output line seen (throttled), for status.
    public var lastLine: String?
    public var progressAt: Date?
}
