/// Why the Hooks module could not do something (a hook that fails is a ``HookOutcome``, not this).
public struct HookError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// `command` could not be split into words (unbalanced quotes, trailing backslash).
        case badCommand
        /// The output log file could not be written.
        case logFile
        /// The system refused a resource a run needs (a thread, pipes).
        case spawn
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
