import Foundation
import Hooks

/// PostgreSQL's own programs in `bin_dir`, and how sidecar runs them: through ``HookRunner`` with an environment
/// that never inherits `PG*` variables (host, port and files are always given explicitly).
public struct PostgresBinaries: Sendable {
    /// The programs sidecar uses.
    public enum Program: String, Sendable, CaseIterable {
        case initdb
        case pgCtl = "pg_ctl"
        case pgBasebackup = "pg_basebackup"
        case pgControldata = "pg_controldata"
        case pgIsready = "pg_isready"
        case psql
    }

    /// `postgresql.bin_dir`, resolved.
    public var directory: String
    /// The environment the programs start from (usually sidecar's own); `PG*` variables are always dropped from it.
    public var baseEnvironment: [String: String]

    public init(directory: String, baseEnvironment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory
        self.baseEnvironment = baseEnvironment
    }

    /// The absolute path of `program`.
    public func path(_ program: Program) -> String {
        (directory as NSString).appendingPathComponent(program.rawValue)
    }

    /// The programs that are missing from ``directory`` or not executable (a value: empty when all are there).
    public var missing: [Program] {
        Program.allCases.filter { access(path($0), X_OK) != 0 }
    }

    /// Throws ``PostgresError`` with code `command` naming every missing program and the fix.
    public func checkPresent() throws {
        let missing = self.missing
        guard missing.isEmpty else {
            throw PostgresError(
                .command,
                "\(missing.map(\.rawValue).joined(separator: ", ")) not found or not executable in \(directory); "
                    + "set postgresql.bin_dir to the directory holding PostgreSQL's programs"
            )
        }
    }

    /// The environment for a program: ``baseEnvironment`` without any `PG*` variable, plus `extra`.
    public func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = baseEnvironment.filter { !$0.key.hasPrefix("PG") }
        for (name, value) in extra { environment[name] = value }
        return environment
    }

    /// An invocation of `program` with `arguments` (working directory `/`, so no directory of sidecar's is needed).
    public func invocation(
        _ program: Program,
        _ arguments: [String],
        environment extra: [String: String] = [:],
        timeout: Duration? = nil,
        logPath: String? = nil
    ) -> HookInvocation {
        HookInvocation(
            executable: path(program),
            arguments: arguments,
            environment: environment(extra),
            workingDirectory: "/",
            timeout: timeout,
            logPath: logPath
        )
    }
}

extension HookResult {
    /// The kept end of stderr as text (invalid UTF-8 repaired), trimmed.
    public var stderrText: String {
        String(decoding: stderrTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The kept end of stdout as text (invalid UTF-8 repaired).
    public var stdoutText: String { String(decoding: stdoutTail, as: UTF8.self) }
}

extension PostgresError {
    /// A ``PostgresError`` with code `command` for a program that did not succeed, with its outcome and stderr.
    static func failed(_ what: String, _ result: HookResult) -> PostgresError {
        let detail: String
        switch result.outcome {
        case .notRun(let reason): detail = "could not be run: \(reason)"
        case .failed(let code): detail = "exited with status \(code)"
        case .signalled(let signal): detail = "was killed by signal \(signal)"
        case .timedOut: detail = "timed out"
        case .interrupted: detail = "was interrupted"
        case .succeeded: detail = "succeeded"
        }
        let stderr = result.stderrText.split(separator: "\n").suffix(3).joined(separator: " / ")
        return PostgresError(.command, "\(what) \(detail)" + (stderr.isEmpty ? "" : ": \(stderr)"))
    }
}
