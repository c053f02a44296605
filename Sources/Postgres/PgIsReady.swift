import Hooks

/// `pg_isready`: whether a server accepts connections (its exit status is the answer, a value).
public struct PgIsReady: Sendable {
    /// The four answers of pg_isready (exit 0, 1, 2, 3).
    public enum Answer: Sendable, Equatable {
        /// Accepting connections.
        case accepting
        /// Up but rejecting connections (starting up, shutting down, in crash recovery).
        case rejecting
        /// No response: not running or unreachable.
        case noResponse
        /// No attempt was made (bad parameters).
        case noAttempt
    }

    public var binaries: PostgresBinaries

    public init(binaries: PostgresBinaries) {
        self.binaries = binaries
    }

    /// `-h <host> -p <port> -d postgres -t <seconds>` (and `-U <user>` when given); `host` `nil` = the build's socket dir.
    public func arguments(host: String?, port: Int, user: String?, timeout: Duration) -> [String] {
        var arguments: [String] = []
        if let host { arguments += ["-h", host] }
        arguments += ["-p", String(port), "-d", "postgres", "-t", String(max(1, timeout.components.seconds))]
        if let user { arguments += ["-U", user] }
        return arguments
    }

    /// Asks once. Throws ``PostgresError`` `command` only when pg_isready could not run or ended unexpectedly.
    public func check(host: String?, port: Int, user: String? = nil, timeout: Duration = .seconds(3), runner: HookRunner = HookRunner()) async throws
        -> Answer
    {
        let invocation = binaries.invocation(
            .pgIsready, arguments(host: host, port: port, user: user, timeout: timeout), timeout: timeout + .seconds(5))
        let result = await runner.run(invocation)
        switch result.outcome {
        case .succeeded: return .accepting
        case .failed(exitCode: 1): return .rejecting
        case .failed(exitCode: 2): return .noResponse
        case .failed(exitCode: 3): return .noAttempt
        default: throw PostgresError.failed("pg_isready", result)
        }
    }
}
