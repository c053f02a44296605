/// One numbered step of a schema: version N turns a schema at N-1 into N.
public struct Migration: Sendable {
    /// The schema version after this step (1, 2, 3, ... without gaps).
    public let version: Int
    /// A short name for messages.
    public let name: String
    let apply: @Sendable (SQLiteTransaction) throws -> Void

    /// A step given as SQL (several statements separated by `;`).
    public init(_ version: Int, _ name: String, sql: String) {
        self.init(version, name) { transaction in try transaction.execute(script: sql) }
    }

    /// A step given as code running inside the migration's write transaction.
    public init(_ version: Int, _ name: String, apply: @escaping @Sendable (SQLiteTransaction) throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }
}
