import CSQLite

/// A failure reported by SQLite, or by this wrapper when a value has the wrong type.
///
/// `code` is SQLite's primary result code (`SQLITE_BUSY` = 5, `SQLITE_CONSTRAINT` = 19, ...), `extendedCode`
/// the extended one (`SQLITE_CONSTRAINT_UNIQUE` = 2067, ...), `message` SQLite's text, and `sql` the statement
/// that failed, when there was one.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code (the low byte of `extendedCode`).
    public var code: Int32
    /// The extended result code; equal to `code` when SQLite gave no extended detail.
    public var extendedCode: Int32
    /// What SQLite (or this wrapper) said.
    public var message: String
    /// The SQL that failed, if the failure belongs to a statement.
    public var sql: String?

    /// Makes an error from a result code; `code` is derived from `extendedCode`.
    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.code = extendedCode & 0xff
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// `SQLITE_BUSY` or `SQLITE_LOCKED`: another connection held the lock longer than the busy timeout.
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// `SQLITE_CONSTRAINT`: a `NOT NULL`, `CHECK`, `UNIQUE` or foreign key constraint refused the change.
    public var isConstraintViolation: Bool { code == SQLITE_CONSTRAINT }

    /// A `UNIQUE` constraint or unique index refused the change.
    public var isUniqueViolation: Bool {
        // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555): macros Swift cannot import.
        extendedCode == 2067 || extendedCode == 1555
    }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " (in: \(sql))" }
        return text
    }

    /// The error of the last call on `db`, for the given result code.
    static func last(_ db: OpaquePointer?, _ result: Int32, sql: String? = nil) -> SQLiteError {
        let message = db.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(result))
        let extended = db.map { sqlite3_extended_errcode($0) } ?? result
        // sqlite3_extended_errcode reports the last failure on the handle; trust `result` if they disagree.
        return SQLiteError(extendedCode: (extended & 0xff) == (result & 0xff) ? extended : result, message: message, sql: sql)
    }

    /// A value read from a column did not have the type the caller asked for.
    static func mismatch(_ message: String) -> SQLiteError {
        SQLiteError(extendedCode: SQLITE_MISMATCH, message: message)
    }
}
