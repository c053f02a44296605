/// Why a PostgreSQL operation could not be done.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A data dir operation was refused (`/`, empty path, the state dir, a live postmaster).
        case refused
        /// A file could not be read or written.
        case io
        /// A PostgreSQL binary is missing or failed.
        case command
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
