/// Brings a database's schema to the newest version, tracked in `PRAGMA user_version`.
///
/// Pending steps run in one `BEGIN IMMEDIATE` transaction, so several processes opening a fresh file at once
/// migrate it exactly once, and a failing step leaves the schema as it was.
public struct Migrator: Sendable {
    /// The steps, ordered by version.
    public let migrations: [Migration]

    /// The steps must be numbered 1, 2, 3, ... in order (a programming error otherwise).
    public init(_ migrations: [Migration]) {
        precondition(
            migrations.enumerated().allSatisfy { $0.offset + 1 == $0.element.version }, "migrations must be numbered 1, 2, 3, ... in order")
        self.migrations = migrations
    }

    /// The newest version this migrator knows.
    public var latestVersion: Int { migrations.count }

    /// What `migrate` found and left.
    public struct Result: Sendable, Equatable {
        /// The schema version before.
        public var from: Int
        /// The schema version after.
        public var to: Int

        public init(from: Int, to: Int) {
            self.from = from
            self.to = to
        }
    }

    /// Applies the pending steps. Throws `SQLiteError` when a step fails (nothing is applied then), or when the
    /// database is newer than this migrator (`SQLITE_SCHEMA`: upgrade the program).
    @discardableResult
    public func migrate(_ connection: SQLiteConnection) throws -> Result {
        let current = try connection.read { try Self.version(of: $0) }
        if current == latestVersion { return Result(from: current, to: current) }
        return try connection.write { transaction in
            let version = try Self.version(of: transaction)
            guard version <= latestVersion else {
                throw SQLiteError(
                    extendedCode: 17,  // SQLITE_SCHEMA
                    message: "\(connection.path) has schema version \(version), newer than this program's \(latestVersion); upgrade it")
            }
            for migration in migrations where migration.version > version {
                do {
                    try migration.apply(transaction)
                } catch let error as SQLiteError {
                    var failed = error
                    failed.message = "migration \(migration.version) (\(migration.name)): \(error.message)"
                    throw failed
                }
            }
            try transaction.execute(script: "PRAGMA user_version = \(latestVersion)")
            return Result(from: version, to: latestVersion)
        }
    }

    /// The schema version stored in the database (0 for a new file).
    public static func version(of transaction: SQLiteTransaction) throws(SQLiteError) -> Int {
        let row = try transaction.queryFirst("PRAGMA user_version")
        return try row?[0] ?? 0
    }
}
