/// What ``HookResolver/resolve(_:)`` found: a file to run, or why the hook is not run.
public enum HookResolution: Sendable, Hashable {
    /// The file to execute (`path` as found, `realPath` with every symlink resolved).
    case resolved(path: String, realPath: String)
    /// Not run: the reason names the path and the fix.
    case rejected(reason: String)

    /// The path to execute, if resolved.
    public var path: String? {
        if case .resolved(let path, _) = self { return path }
        return nil
    }

    /// The outcome to record when the hook cannot run, `nil` if it can.
    public var notRunOutcome: HookOutcome? {
        if case .rejected(let reason) = self { return .notRun(reason: reason) }
        return nil
    }
}
