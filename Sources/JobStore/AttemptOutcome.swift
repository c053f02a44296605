/// How an attempt ended, with the words SPEC §6 names (`HookOutcome.name` in the Hooks module).
public enum AttemptOutcome: String, Sendable, Codable, CaseIterable {
    case succeeded
    case failed
    case signalled
    case timedOut = "timed_out"
    case interrupted
    case notRun = "not_run"
}
