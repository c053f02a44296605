import Foundation
import SQLite

/// The job database file of a state dir (`<state_dir>/jobs.sqlite`), opened and migrated.
///
/// Open it once per process and share it: `JobQueue` and `AuditHistory` are views on it.
public final class JobDatabase: Sendable {
    /// The database file's name inside the state dir.
    public static let fileName = "jobs.sqlite"

    /// The page size of a new database file. A commit writes every page it changed to the log and syncs it; with
    /// 1 KiB pages a job cycle's commits write about a quarter of the bytes they write with SQLite's default 4 KiB
    /// pages, for 15 % more cycles per second on this project's machine (docs/jobstore.md). Files made with
    /// another page size keep theirs.
    public static let pageSize = 1024

    /// The open connection (WAL, `synchronous=FULL`, foreign keys, busy timeout).
    public let connection: SQLiteConnection

    /// The database file.
    public var path: String { connection.path }

    /// Opens `<stateDirectory>/jobs.sqlite`, creating the state dir (mode 0700) and the file (mode 0600) when
    /// `create` is true, and brings the schema up to date. Throws `JobStoreError` (`.stateDirectory` when the
    /// directory cannot be made, `.database` when `create` is false and there is no database, or it cannot be
    /// opened or migrated).
    public convenience init(stateDirectory: String, create: Bool = true, busyTimeout: Duration = .seconds(30)) throws(JobStoreError) {
        if create {
            do {
                try FileManager.default.createDirectory(
                    atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw JobStoreError(
                    .stateDirectory, "cannot create the state dir \(stateDirectory); check its parent's permissions",
                    cause: SendableDescription(error.localizedDescription))
            }
        }
        try self.init(path: stateDirectory + "/" + Self.fileName, create: create, busyTimeout: busyTimeout)
    }

    /// Opens the database file at `path` (see `init(stateDirectory:create:busyTimeout:)`).
    public init(path: String, create: Bool = true, busyTimeout: Duration = .seconds(30)) throws(JobStoreError) {
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw JobStoreError(.database, "no job database at \(path); has sidecar run with this state dir?")
        }
        var options = SQLiteConnection.Options()
        options.create = create
        options.pageSize = Self.pageSize
        options.busyTimeout = busyTimeout
        do {
            connection = try SQLiteConnection(path: path, options: options)
            try JobSchema.migrator.migrate(connection)
        } catch {
            throw JobStoreError(.database, "cannot open the job database \(path)", cause: JobStoreError.sendable(error))
        }
    }

    /// Runs a write transaction, turning failures into `JobStoreError` (`.database`, or the body's own).
    func write<T: Sendable>(
        _ what: String, _ durability: SQLiteConnection.Durability = .synced, _ body: (SQLiteTransaction) throws -> T
    ) throws(JobStoreError) -> T {
        do {
            return try connection.write(durability, body)
        } catch {
            throw JobStoreError.wrap(error, what)
        }
    }

    /// Runs a read transaction, turning failures into `JobStoreError`.
    func read<T: Sendable>(_ what: String, _ body: (SQLiteTransaction) throws -> T) throws(JobStoreError) -> T {
        do {
            return try connection.read(body)
        } catch {
            throw JobStoreError.wrap(error, what)
        }
    }
}
