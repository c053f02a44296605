import SQLite

/// The job store could not do what was asked. Outcomes (an existing job returned by `enqueue`, nothing to claim,
/// a cancel of a finished job) are values, not errors.
public struct JobStoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// No job (or attempt) with that id.
        case notFound = "not_found"
        /// The worker's lease is gone: the job was reconciled, requeued, cancelled or claimed by someone else.
        /// Stop working on the job; nothing was changed.
        case leaseLost = "lease_lost"
        /// The database could not be opened, migrated, read or written.
        case database
        /// The state directory could not be created or has unsafe permissions.
        case stateDirectory = "state_directory"
    }

    /// What kind of failure this is.
    public var code: Code
    /// One line saying what happened and what to do next.
    public var message: String
    /// The underlying error, when there is one (usually a `SQLiteError`).
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        guard let cause else { return message }
        return "\(message): \(cause)"
    }

    /// Wraps anything thrown while talking to SQLite; lets `JobStoreError`s through unchanged.
    static func wrap(_ error: any Error, _ what: String) -> JobStoreError {
        if let error = error as? JobStoreError { return error }
        if let error = error as? SQLiteError {
            let hint = error.isBusy ? " (another process held the database lock too long; try again)" : ""
            return JobStoreError(.database, "\(what) failed\(hint)", cause: error)
        }
        return JobStoreError(.database, "\(what) failed", cause: sendable(error))
    }

    /// `error` itself when it is Sendable (a `SQLiteError`), else its description.
    static func sendable(_ error: any Error) -> any Error & Sendable {
        if let error = error as? SQLiteError { return error }
        if let error = error as? JobStoreError { return error }
        return SendableDescription(String(describing: error))
    }
}

/// A non-Sendable cause, kept as its description.
struct SendableDescription: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
