import CSQLite

/// The open `sqlite3*` with its statement cache. Only ever touched under `SQLiteConnection`'s mutex.
final class SQLiteHandle {
    let db: OpaquePointer
    private var cache: [String: OpaquePointer] = [:]
    /// Statements handed out in the current transaction; reset when it ends.
    private var used: [OpaquePointer] = []
    /// Uncached statements (the cached one was busy); finalized when the transaction ends.
    private var temporary: [OpaquePointer] = []
    /// The statements ``run(_:)`` keeps.
    private var fixed: [String: OpaquePointer] = [:]

    init(db: OpaquePointer) {
        self.db = db
    }

    deinit {
        for statement in cache.values { sqlite3_finalize(statement) }
        for statement in fixed.values { sqlite3_finalize(statement) }
        for statement in temporary { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    /// The statement for `sql`: cached, or a fresh one when the cached one is still in the middle of a run.
    func statement(for sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = cache[sql], sqlite3_stmt_busy(cached) == 0 {
            sqlite3_reset(cached)
            sqlite3_clear_bindings(cached)
            used.append(cached)
            return SQLiteStatement(statement: cached, db: db, sql: sql)
        }
        let persistent = cache[sql] == nil
        var prepared: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let result = sqlite3_prepare_v3(db, sql, -1, flags, &prepared, nil)
        guard result == SQLITE_OK, let prepared else {
            sqlite3_finalize(prepared)
            throw SQLiteError.last(db, result, sql: sql)
        }
        if persistent {
            cache[sql] = prepared
            used.append(prepared)
        } else {
            temporary.append(prepared)
        }
        return SQLiteStatement(statement: prepared, db: db, sql: sql)
    }

    /// Resets every statement of the transaction, so none keeps a read open at `COMMIT`.
    func releaseStatements() {
        for statement in used { sqlite3_reset(statement) }
        used.removeAll(keepingCapacity: true)
        for statement in temporary { sqlite3_finalize(statement) }
        temporary.removeAll()
    }

    /// Runs one parameterless statement that returns no rows (`BEGIN IMMEDIATE`, `COMMIT`, a `PRAGMA` setting),
    /// prepared once and kept: `sqlite3_exec` would compile it again each time, and every transaction runs three
    /// or four of them.
    func run(_ sql: String) throws(SQLiteError) {
        let statement: OpaquePointer
        if let kept = fixed[sql] {
            statement = kept
        } else {
            var prepared: OpaquePointer?
            let result = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard result == SQLITE_OK, let prepared else {
                sqlite3_finalize(prepared)
                throw SQLiteError.last(db, result, sql: sql)
            }
            fixed[sql] = prepared
            statement = prepared
        }
        let result = sqlite3_step(statement)
        guard result == SQLITE_DONE || result == SQLITE_ROW else {
            let error = SQLiteError.last(db, result, sql: sql)
            sqlite3_reset(statement)
            throw error
        }
        sqlite3_reset(statement)
    }

    /// Runs `sql` (one or more statements, no parameters) with `sqlite3_exec`.
    func exec(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(db, sql, nil, nil, &message)
        guard result == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(result))
            sqlite3_free(message)
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(db), message: text, sql: sql)
        }
    }

    /// Whether a transaction is open (SQLite is not in autocommit mode).
    var inTransaction: Bool { sqlite3_get_autocommit(db) == 0 }
}
