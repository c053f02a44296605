import CSQLite

/// A prepared statement, valid only inside the transaction closure that prepared it.
///
/// Bind with `bind(_:)`, then call `step()` until it returns `false`, reading columns while it returns `true`.
/// The transaction resets every statement it handed out before it commits or rolls back, so a statement left
/// half-read never keeps a read open.
public struct SQLiteStatement {
    let statement: OpaquePointer
    let db: OpaquePointer
    /// The SQL this statement was prepared from.
    public let sql: String

    init(statement: OpaquePointer, db: OpaquePointer, sql: String) {
        self.statement = statement
        self.db = db
        self.sql = sql
    }

    /// Resets the statement and binds `values` to its parameters `?1`, `?2`, ... in order; throws `SQLiteError`
    /// when the count does not match or SQLite refuses a value.
    public func bind(_ values: [any SQLiteValueConvertible]) throws(SQLiteError) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard values.count == expected else {
            throw SQLiteError(
                extendedCode: SQLITE_RANGE, message: "statement takes \(expected) parameters, \(values.count) given", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value.sqliteValue, at: Int32(offset + 1))
        }
    }

    private func bind(_ value: SQLiteValue, at index: Int32) throws(SQLiteError) {
        let result: Int32
        switch value {
        case .null:
            result = sqlite3_bind_null(statement, index)
        case .integer(let number):
            result = sqlite3_bind_int64(statement, index, number)
        case .real(let number):
            result = sqlite3_bind_double(statement, index, number)
        case .text(let text):
            result = sqlite3_bind_text(statement, index, text, Int32(text.utf8.count), sidecar_sqlite_transient())
        case .blob(let bytes):
            if bytes.isEmpty {
                result = sqlite3_bind_zeroblob(statement, index, 0)
            } else {
                result = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), sidecar_sqlite_transient())
                }
            }
        }
        guard result == SQLITE_OK else { throw SQLiteError.last(db, result, sql: sql) }
    }

    /// Runs the statement to its next row: `true` when a row is ready to read, `false` when it is done.
    /// Throws `SQLiteError` on failure (a constraint violation, `SQLITE_BUSY` after the busy timeout, ...).
    public func step() throws(SQLiteError) -> Bool {
        let result = sqlite3_step(statement)
        switch result {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError.last(db, result, sql: sql)
            sqlite3_reset(statement)
            throw error
        }
    }

    /// Rewinds the statement so it can run again; bindings stay.
    public func reset() {
        sqlite3_reset(statement)
    }

    /// The number of columns in a result row.
    public var columnCount: Int { Int(sqlite3_column_count(statement)) }

    /// The name of column `index` (its `AS` alias when it has one).
    public func columnName(_ index: Int) -> String {
        sqlite3_column_name(statement, Int32(index)).map { String(cString: $0) } ?? ""
    }

    /// The value of column `index` of the current row.
    public func value(at index: Int) -> SQLiteValue {
        let column = Int32(index)
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard let bytes = sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default:
            return .null
        }
    }

    /// Column `index` of the current row as `T`; throws `SQLiteError` (`SQLITE_MISMATCH`) on a wrong type.
    public func column<T: SQLiteValueConvertible>(_ index: Int, as type: T.Type = T.self) throws(SQLiteError) -> T {
        do {
            return try T(sqliteValue: value(at: index))
        } catch {
            throw .mismatch("column '\(columnName(index))': \(error.message)")
        }
    }

    /// The current row, copied out.
    public func row() -> SQLiteRow {
        let count = columnCount
        return SQLiteRow(columns: (0..<count).map(columnName), values: (0..<count).map(value(at:)))
    }
}
