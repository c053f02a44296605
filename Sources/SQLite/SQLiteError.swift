/// Placeholder: the SQLite wrapper lands with the foundation issue.
public struct SQLiteError: Error, Sendable {
    public var code: Int32
    public var message: String
}
