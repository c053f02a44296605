import Hooks

/// `pg_controldata` for a data dir (runs as any user that can read the data dir).
public struct PgControlData: Sendable {
    public var binaries: PostgresBinaries
    public var dataDirectory: String

    public init(binaries: PostgresBinaries, dataDirectory: String) {
        self.binaries = binaries
        self.dataDirectory = dataDirectory
    }

    /// `-D <data_dir>`, run with `LC_ALL=C` so the labels are the English ones the parser knows.
    public var invocation: HookInvocation {
        binaries.invocation(.pgControldata, ["-D", dataDirectory], environment: ["LC_ALL": "C", "LANG": "C"], timeout: .seconds(30))
    }

    /// Reads and parses the control file. Throws ``PostgresError``: `command` when pg_controldata fails, `parse` when
    /// its output lacks the fields.
    public func read(runner: HookRunner = HookRunner()) async throws -> ControlData {
        let result = await runner.run(invocation)
        guard result.outcome.isSuccess else { throw PostgresError.failed("pg_controldata -D \(dataDirectory)", result) }
        return try ControlData(parsing: result.stdoutText)
    }
}
