import Foundation
import Hooks

/// `pg_ctl` for one data dir: start, stop, status, reload. Runs as the PostgreSQL user (pg_ctl refuses root).
///
/// `start` always passes `-l <logFile>`: the server's output goes to that file, so the postmaster (which pg_ctl puts
/// in a session of its own) never holds the runner's pipes open and survives the runner's final SIGKILL to the group.
public struct PgCtl: Sendable {
    /// How `pg_ctl stop` shuts the server down.
    public enum StopMode: String, Sendable {
        case smart, fast, immediate
    }

    /// What `pg_ctl status` says (exit 0, 3, 4); anything else is a ``PostgresError``.
    public enum Status: Sendable, Equatable {
        case running
        case notRunning
        case noDataDirectory
    }

    public var binaries: PostgresBinaries
    public var dataDirectory: String
    /// `postgresql.pg_ctl_timeout`: the `-t` of `start -w` and `stop -w`.
    public var timeout: Duration

    public init(binaries: PostgresBinaries, dataDirectory: String, timeout: Duration) {
        self.binaries = binaries
        self.dataDirectory = dataDirectory
        self.timeout = timeout
    }

    private var seconds: String { String(max(1, timeout.components.seconds)) }

    /// `start -D <dir> -w -t <s> -l <log>`, plus `-o "-c name=value ..."` for settings of this start only (e.g.
    /// `hot_standby=off` during a promoting recovery). pg_ctl hands `-o` to a shell, so each setting is single-quoted.
    ///
    /// `wait: false` gives `-W` instead of `-w -t`: with `hot_standby` off the server accepts no connection until
    /// recovery ends, so `-w` would block (and give up at the timeout while the server keeps recovering); poll instead.
    public func startArguments(logFile: String, settings: [ConfigParameter] = [], wait: Bool = true) -> [String] {
        var arguments = ["start", "-D", dataDirectory] + (wait ? ["-w", "-t", seconds] : ["-W"]) + ["-l", logFile]
        if !settings.isEmpty {
            arguments += ["-o", settings.map { "-c " + Self.shellQuote("\($0.name)=\($0.value)") }.joined(separator: " ")]
        }
        return arguments
    }

    /// `stop -D <dir> -m <mode> -w -t <s>`.
    public func stopArguments(mode: StopMode) -> [String] {
        ["stop", "-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", seconds]
    }

    /// `status -D <dir>`.
    public var statusArguments: [String] { ["status", "-D", dataDirectory] }

    /// `reload -D <dir>`.
    public var reloadArguments: [String] { ["reload", "-D", dataDirectory] }

    /// Starts the server and, with `wait`, waits until it accepts connections (or `timeout`). The result is a value to
    /// record; the runner's own limit is the pg_ctl timeout plus a margin.
    public func start(
        logFile: String,
        settings: [ConfigParameter] = [],
        wait: Bool = true,
        runner: HookRunner = HookRunner(),
        control: HookControl? = nil,
        logPath: String? = nil
    ) async -> HookResult {
        let arguments = startArguments(logFile: logFile, settings: settings, wait: wait)
        return await runner.run(binaries.invocation(.pgCtl, arguments, timeout: timeout + .seconds(30), logPath: logPath), control: control)
    }

    /// Stops the server with `mode` and waits (or `timeout`); the result is a value.
    public func stop(mode: StopMode, runner: HookRunner = HookRunner(), control: HookControl? = nil) async -> HookResult {
        await runner.run(binaries.invocation(.pgCtl, stopArguments(mode: mode), timeout: timeout + .seconds(30)), control: control)
    }

    /// Asks the server to reload its configuration. Throws ``PostgresError`` `command` when pg_ctl fails.
    public func reload(runner: HookRunner = HookRunner()) async throws {
        let result = await runner.run(binaries.invocation(.pgCtl, reloadArguments, timeout: .seconds(30)))
        guard result.outcome.isSuccess else { throw PostgresError.failed("pg_ctl reload", result) }
    }

    /// Whether a server runs in the data dir. Throws ``PostgresError`` `command` for any other answer.
    public func status(runner: HookRunner = HookRunner()) async throws -> Status {
        let result = await runner.run(binaries.invocation(.pgCtl, statusArguments, timeout: .seconds(30)))
        switch result.outcome {
        case .succeeded: return .running
        case .failed(exitCode: 3): return .notRunning
        case .failed(exitCode: 4): return .noDataDirectory
        default: throw PostgresError.failed("pg_ctl status", result)
        }
    }

    /// `'...'` for a POSIX shell, with `'` written as `'\''`.
    static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
