/// One result row, copied out of the statement so it outlives it.
///
/// Read a column by position or name into any `SQLiteValueConvertible` type:
/// `let id: Int64 = try row[0]`, `let error: String? = try row["last_error"]`.
public struct SQLiteRow: Sendable, Hashable {
    /// The column names, in result order.
    public let columns: [String]
    /// The values, in result order.
    public let values: [SQLiteValue]

    public init(columns: [String], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
    }

    /// The column at `index` as `T`; throws `SQLiteError` (`SQLITE_MISMATCH`) on a wrong type, `NULL` into a
    /// non-optional, or an index out of range.
    public subscript<T: SQLiteValueConvertible>(index: Int) -> T {
        get throws(SQLiteError) {
            guard values.indices.contains(index) else { throw .mismatch("no column \(index) in a row of \(values.count)") }
            do {
                return try T(sqliteValue: values[index])
            } catch {
                throw .mismatch("column '\(columns[index])': \(error.message)")
            }
        }
    }

    /// The column named `name` as `T`; throws `SQLiteError` (`SQLITE_MISMATCH`) on a wrong type or unknown name.
    public subscript<T: SQLiteValueConvertible>(name: String) -> T {
        get throws(SQLiteError) {
            guard let index = columns.firstIndex(of: name) else { throw .mismatch("no column named '\(name)'") }
            return try self[index]
        }
    }
}
