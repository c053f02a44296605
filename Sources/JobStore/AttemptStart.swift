import Foundation

/// What `AuditHistory.openAttempt` records before a method runs. Secrets in `command`, `argv` and
/// `cloneSource` are masked before they are stored.
public struct AttemptStart: Sendable, Equatable {
    /// Position of the method in the chain (0 for the first; a bootstrap method is 0).
    public var position: Int
    /// The method's name (`basebackup`, `initdb`, `wal_e`, ...).
    public var method: String
    /// The resolved executable, when there is one.
    public var command: String?
    /// The full argv as it will run.
    public var argv: [String]
    /// The member the data is cloned from (name or connstring), if any.
    public var cloneSource: String?
    /// Where the full output goes (`<state_dir>/logs/<job>/<attempt>.log`).
    public var logPath: String?

    public init(position: Int, method: String, command: String? = nil, argv: [String] = [], cloneSource: String? = nil, logPath: String? = nil) {
        self.position = position
        self.method = method
        self.command = command
        self.argv = argv
        self.cloneSource = cloneSource
        self.logPath = logPath
    }
}
