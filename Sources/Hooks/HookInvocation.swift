/// Everything needed to run one resolved hook: no shell is involved anywhere.
public struct HookInvocation: Sendable {
    /// Absolute path of the resolved executable (argv[0]).
    public var executable: String
    /// argv[1...], each element passed as is.
    public var arguments: [String]
    /// The complete environment of the child (not merged with anything).
    public var environment: [String: String]
    /// Working directory of the child.
    public var workingDirectory: String
    /// Wall-clock limit; `nil` means none (Patroni has none).
    public var timeout: Duration?
    /// Time between SIGTERM and SIGKILL to the process group.
    public var grace: Duration
    /// Bytes kept from the end of stdout and of stderr.
    public var tailBytes: Int
    /// File that every output byte of both streams is appended to as it arrives (created 0600, its directory
    /// 0700); `nil` for none.
    public var logPath: String?

    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String],
        workingDirectory: String,
        timeout: Duration? = nil,
        grace: Duration = .seconds(10),
        tailBytes: Int = 64 * 1024,
        logPath: String? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.grace = grace
        self.tailBytes = tailBytes
        self.logPath = logPath
    }
}

/// Identity of a running hook, for recording so that a restarted daemon can kill an orphaned group.
public struct HookProcess: Sendable, Equatable {
    public var pid: Int32
    /// Process group id (equal to `pid`: every hook leads its own group).
    public var processGroup: Int32
    /// Start time in clock ticks since boot (`/proc/<pid>/stat` field 22), to tell a reused pid apart.
    public var startTime: UInt64

    public init(pid: Int32, processGroup: Int32, startTime: UInt64) {
        self.pid = pid
        self.processGroup = processGroup
        self.startTime = startTime
    }
}

/// Which output stream a chunk of hook output came from.
public enum HookStream: String, Sendable {
    case stdout
    case stderr
}
