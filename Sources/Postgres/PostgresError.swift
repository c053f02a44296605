/// Why a PostgreSQL operation could not be done.
///
/// A binary that ran and exited non-zero where that is an answer (pg_isready, pg_ctl status) is a value, not this error.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A data dir operation was refused (`/`, empty path, the state dir, a live postmaster, a link leading outside).
        case refused
        /// A file could not be read or written.
        case io
        /// A PostgreSQL binary is missing, could not be run, or failed.
        case command
        /// A value could not be parsed (`PG_VERSION`, `pg_controldata` output, a `host:port`).
        case parse
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
