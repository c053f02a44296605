/// Turning a Patroni argv (``PatroniArgv``) into something ``HookRunner`` runs.
extension HookResolver {
    /// The run of `argv` (`argv[0]` the first word of the command as written): its executable resolved and
    /// checked, `argv[1...]` as arguments, working directory ``hooksDirectory`` (SPEC §6). A value, never
    /// thrown: ``HookLaunch/notRun(reason:)`` when the first word does not resolve or `argv` is empty.
    public func launch(
        argv: [String],
        environment: [String: String],
        timeout: Duration? = nil,
        tailBytes: Int = 64 * 1024,
        logPath: String? = nil
    ) -> HookLaunch {
        guard let first = argv.first else {
            return .notRun(reason: "the command is empty: name the hook to run")
        }
        switch resolve(first) {
        case .rejected(let reason):
            return .notRun(reason: reason)
        case .resolved(let path, _):
            let invocation = HookInvocation(
                executable: path,
                arguments: Array(argv.dropFirst()),
                environment: environment,
                workingDirectory: hooksDirectory,
                timeout: timeout,
                tailBytes: tailBytes,
                logPath: logPath
            )
            return .run(invocation)
        }
    }
}

/// What ``HookResolver/launch(argv:environment:timeout:tailBytes:logPath:)`` prepared.
public enum HookLaunch: Sendable {
    /// Ready for ``HookRunner``.
    case run(HookInvocation)
    /// Not run: record ``HookOutcome/notRun(reason:)`` with this reason (it names the path and the fix).
    case notRun(reason: String)
}
