/// One SQLite value: what a statement binds and what a column holds.
public enum SQLiteValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLiteValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
}

/// A Swift type stored in one SQLite value: bound as a parameter, read back from a column.
///
/// Conformances: `Int`, `Int64`, `Int32`, `Double`, `Bool` (0/1), `String`, `[UInt8]` (blob), `SQLiteValue`,
/// and `Optional` of any of them (`nil` is `NULL`).
public protocol SQLiteValueConvertible {
    /// The value to bind.
    var sqliteValue: SQLiteValue { get }
    /// Reads the type back; throws `SQLiteError` (`SQLITE_MISMATCH`) when the value has another type or is `NULL`.
    init(sqliteValue: SQLiteValue) throws(SQLiteError)
}

extension SQLiteValue: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { self }
    public init(sqliteValue: SQLiteValue) { self = sqliteValue }
}

extension Int64: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .integer(self) }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) {
        guard case .integer(let value) = sqliteValue else { throw .mismatch("expected an integer, found \(sqliteValue)") }
        self = value
    }
}

extension Int: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) { self = Int(try Int64(sqliteValue: sqliteValue)) }
}

extension Int32: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .integer(Int64(self)) }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) {
        let wide = try Int64(sqliteValue: sqliteValue)
        guard let value = Int32(exactly: wide) else { throw .mismatch("integer \(wide) does not fit in 32 bits") }
        self = value
    }
}

extension Bool: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .integer(self ? 1 : 0) }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) { self = try Int64(sqliteValue: sqliteValue) != 0 }
}

extension Double: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .real(self) }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) {
        switch sqliteValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: throw .mismatch("expected a number, found \(sqliteValue)")
        }
    }
}

extension String: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { .text(self) }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) {
        guard case .text(let value) = sqliteValue else { throw .mismatch("expected text, found \(sqliteValue)") }
        self = value
    }
}

extension Array: SQLiteValueConvertible where Element == UInt8 {
    public var sqliteValue: SQLiteValue { .blob(self) }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) {
        switch sqliteValue {
        case .blob(let bytes): self = bytes
        case .text(let text): self = Array(text.utf8)
        default: throw .mismatch("expected a blob, found \(sqliteValue)")
        }
    }
}

extension Optional: SQLiteValueConvertible where Wrapped: SQLiteValueConvertible {
    public var sqliteValue: SQLiteValue { self?.sqliteValue ?? .null }
    public init(sqliteValue: SQLiteValue) throws(SQLiteError) {
        self = sqliteValue == .null ? nil : try Wrapped(sqliteValue: sqliteValue)
    }
}
