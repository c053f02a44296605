import Hooks

/// `pg_basebackup` for the built-in `basebackup` replica method (SPEC §5.2). Works as any user that may write the
/// data dir; the password comes from the pgpass file (`PGPASSFILE`), never from argv.
public struct PgBaseBackup: Sendable {
    /// Option names (long and short) that sidecar sets itself; configuring one is a config error (SPEC §5.2).
    public static let reservedOptions: Set<String> = [
        "pgdata", "D", "format", "F", "wal-method", "X", "dbname", "d", "host", "h", "port", "p", "username", "U", "password", "W", "no-password",
        "w",
    ]

    public var binaries: PostgresBinaries
    public var dataDirectory: String
    /// `postgresql.basebackup`, in YAML order.
    public var options: [CommandOption]
    /// Adds `--progress` (unless configured already), for ``BasebackupProgress`` lines on stderr.
    public var progress: Bool

    public init(binaries: PostgresBinaries, dataDirectory: String, options: [CommandOption], progress: Bool = false) {
        self.binaries = binaries
        self.dataDirectory = dataDirectory
        self.options = options
        self.progress = progress
    }

    /// The configured options that clash with sidecar's own (a value: empty when the configuration is fine).
    public var clashingOptions: [CommandOption] {
        options.filter { Self.reservedOptions.contains($0.name) }
    }

    /// `--pgdata=<data_dir> -X stream --dbname=<connstring>` followed by the configured options (and `--progress`).
    public func arguments(source: Connstring) -> [String] {
        let configured = options.flatMap(\.arguments)
        let progressFlag = progress && !options.contains { $0.name == "progress" || $0.name == "P" } ? ["--progress"] : []
        return ["--pgdata=\(dataDirectory)", "-X", "stream", "--dbname=\(source.description)"] + configured + progressFlag
    }

    /// The invocation: `PGPASSFILE` = `passfile`, no runner limit unless `timeout` (Patroni has none).
    public func invocation(source: Connstring, passfile: String, timeout: Duration? = nil, logPath: String? = nil) -> HookInvocation {
        binaries.invocation(.pgBasebackup, arguments(source: source), environment: ["PGPASSFILE": passfile], timeout: timeout, logPath: logPath)
    }

    /// Runs one try; the result (exit status, output tails) is a value to record as an attempt.
    public func run(
        source: Connstring,
        passfile: String,
        timeout: Duration? = nil,
        runner: HookRunner = HookRunner(),
        sink: (any HookOutputSink)? = nil,
        control: HookControl? = nil,
        logPath: String? = nil,
        onStart: @escaping @Sendable (HookProcess) -> Void = { _ in }
    ) async -> HookResult {
        await runner.run(
            invocation(source: source, passfile: passfile, timeout: timeout, logPath: logPath), sink: sink, control: control, onStart: onStart)
    }
}
