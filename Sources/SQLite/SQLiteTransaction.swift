import CSQLite

/// The handle a `read { }` or `write { }` closure receives: prepare and run statements inside the transaction.
///
/// It is valid only while the closure runs; do not keep it. Statements are cached per connection by their SQL
/// text, so preparing the same SQL again is cheap.
public struct SQLiteTransaction {
    let storage: SQLiteHandle

    /// Prepares (or takes from the cache) the statement for `sql`, reset and with no bindings; throws `SQLiteError`
    /// when the SQL does not compile.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try storage.statement(for: sql)
    }

    /// Runs `sql` with `values` bound, stepping through any rows it returns, and gives the number of rows it
    /// changed. Throws `SQLiteError` (a constraint violation is `isConstraintViolation`).
    @discardableResult
    public func execute(_ sql: String, _ values: any SQLiteValueConvertible...) throws(SQLiteError) -> Int {
        try execute(sql, arguments: values)
    }

    /// Runs `sql` with an array of bound values and gives the number of rows it changed. Throws `SQLiteError`.
    @discardableResult
    public func execute(_ sql: String, arguments values: [any SQLiteValueConvertible]) throws(SQLiteError) -> Int {
        let statement = try prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
        statement.reset()
        return changes
    }

    /// Runs `sql` with `values` bound and returns every row. Throws `SQLiteError`.
    public func query(_ sql: String, _ values: any SQLiteValueConvertible...) throws(SQLiteError) -> [SQLiteRow] {
        try query(sql, arguments: values)
    }

    /// Runs `sql` with an array of bound values and returns every row. Throws `SQLiteError`.
    public func query(_ sql: String, arguments values: [any SQLiteValueConvertible]) throws(SQLiteError) -> [SQLiteRow] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [SQLiteRow] = []
        while try statement.step() {
            rows.append(statement.row())
        }
        statement.reset()
        return rows
    }

    /// Runs `sql` with `values` bound and returns its first row, or `nil` when there is none. Throws `SQLiteError`.
    public func queryFirst(_ sql: String, _ values: any SQLiteValueConvertible...) throws(SQLiteError) -> SQLiteRow? {
        try queryFirst(sql, arguments: values)
    }

    /// Runs `sql` with an array of bound values and returns its first row, or `nil`. Throws `SQLiteError`.
    public func queryFirst(_ sql: String, arguments values: [any SQLiteValueConvertible]) throws(SQLiteError) -> SQLiteRow? {
        let statement = try prepare(sql)
        try statement.bind(values)
        defer { statement.reset() }
        return try statement.step() ? statement.row() : nil
    }

    /// Runs several `;`-separated statements without parameters (schema scripts). Throws `SQLiteError`.
    public func execute(script: String) throws(SQLiteError) {
        try storage.exec(script)
    }

    /// Rows changed by the last `INSERT`, `UPDATE` or `DELETE`.
    public var changes: Int { Int(sqlite3_changes64(storage.db)) }

    /// The rowid of the last successful `INSERT` on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(storage.db) }
}
