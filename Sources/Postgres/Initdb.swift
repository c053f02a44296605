import Hooks

/// `initdb` for the `initdb` bootstrap method (SPEC §4.2). Runs as the PostgreSQL user (initdb refuses root).
public struct Initdb: Sendable {
    public var binaries: PostgresBinaries
    public var dataDirectory: String
    /// `bootstrap.initdb`, in YAML order.
    public var options: [CommandOption]
    public var superuser: RoleCredentials

    public init(binaries: PostgresBinaries, dataDirectory: String, options: [CommandOption], superuser: RoleCredentials) {
        self.binaries = binaries
        self.dataDirectory = dataDirectory
        self.options = options
        self.superuser = superuser
    }

    /// `--pgdata=<data_dir>`, the options, `--username=<superuser>`, and `--pwfile=<file>` when a password file is given.
    public func arguments(passwordFile: String?) -> [String] {
        var arguments = ["--pgdata=\(dataDirectory)"] + options.flatMap(\.arguments) + ["--username=\(superuser.username)"]
        if let passwordFile { arguments.append("--pwfile=\(passwordFile)") }
        return arguments
    }

    /// Runs initdb; the superuser's password, if any, goes through a temporary 0600 `--pwfile` removed afterwards.
    ///
    /// A non-zero exit is a value in the returned ``HookResult`` (record it as the attempt). Throws ``PostgresError``
    /// `io` only when the password file cannot be written.
    public func run(
        runner: HookRunner = HookRunner(),
        sink: (any HookOutputSink)? = nil,
        control: HookControl? = nil,
        logPath: String? = nil,
        onStart: @escaping @Sendable (HookProcess) -> Void = { _ in }
    ) async throws -> HookResult {
        guard let password = superuser.password else {
            let invocation = binaries.invocation(.initdb, arguments(passwordFile: nil), logPath: logPath)
            return await runner.run(invocation, sink: sink, control: control, onStart: onStart)
        }
        return try await SecretFile.with(password + "\n") { file in
            let invocation = binaries.invocation(.initdb, arguments(passwordFile: file), logPath: logPath)
            return await runner.run(invocation, sink: sink, control: control, onStart: onStart)
        }
    }
}
