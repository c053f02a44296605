import CSQLite
import Foundation
import Synchronization

/// One open SQLite database file: the only way in for this process.
///
/// Open one connection per process and file and share it: it is `Sendable`, and every transaction runs under its
/// mutex. The file is created with mode 0600, in WAL mode, with `synchronous=FULL` (a commit is durable when
/// `write` returns), foreign keys on, and a busy timeout so that other processes holding the write lock make
/// this one wait rather than fail.
///
/// Transactions are synchronous closures: `write { }` is `BEGIN IMMEDIATE` (it takes the write lock up front, so
/// it cannot fail half-way with `SQLITE_BUSY`), `read { }` a deferred transaction that sees one snapshot. Nothing
/// can be awaited inside one; do not call `read`/`write` of the same connection from inside a closure (the mutex
/// is not recursive). The calling thread blocks while another transaction runs or the disk syncs.
public final class SQLiteConnection: Sendable {
    /// How the connection opens the file.
    public struct Options: Sendable {
        /// How long a transaction waits for another process's lock before failing with `SQLITE_BUSY`. Default 30 s.
        public var busyTimeout: Duration = .seconds(30)
        /// Create the file (mode 0600) when it does not exist; otherwise opening a missing file throws. Default true.
        public var create: Bool = true
        /// `PRAGMA synchronous`: `"FULL"` (default) or `"NORMAL"`, `"OFF"` for experiments.
        public var synchronous: String = "FULL"
        /// `PRAGMA page_size` for a new database file (a power of two from 512 to 65536); `nil` keeps SQLite's
        /// default (4096). A file that already has pages keeps its page size.
        public var pageSize: Int?

        public init() {}
    }

    /// How far a write transaction's commit must reach before `write` returns.
    public enum Durability: Sendable {
        /// Synced to the disk as `Options.synchronous` says (`FULL`: an `fdatasync` of the log per commit), so the
        /// commit survives a power loss.
        case synced
        /// Written to the log without a sync (`synchronous=NORMAL` for this one commit): every process, including
        /// this one restarted after `SIGKILL`, sees it, but a power loss or kernel crash before the next synced
        /// commit (whose sync covers the whole log, this commit included) may lose it. For records that only
        /// matter while this machine stays up, such as the pid of a child process.
        case survivesProcessCrash
    }

    /// The path the connection was opened with.
    public let path: String
    private let storage: Mutex<SQLiteHandle>
    private let synchronous: String

    /// Opens (and when allowed, creates) the database at `path` and sets WAL, `synchronous`, foreign keys and the
    /// busy timeout. Throws `SQLiteError` when the file cannot be opened or is not a database.
    public init(path: String, options: Options = Options()) throws(SQLiteError) {
        self.path = path
        self.synchronous = options.synchronous.uppercased()
        let isFile = path != ":memory:" && !path.hasPrefix("file:")
        if options.create && isFile {
            // SQLite would create the file 0644; make it 0600 first. Its -wal and -shm files copy this mode.
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        if options.create { flags |= SQLITE_OPEN_CREATE }
        let result = sqlite3_open_v2(path, &db, flags, nil)
        guard result == SQLITE_OK, let db else {
            let error = SQLiteError.last(db, result)
            sqlite3_close_v2(db)
            throw SQLiteError(extendedCode: error.extendedCode, message: "cannot open database \(path): \(error.message)")
        }
        let handle = SQLiteHandle(db: db)
        let milliseconds = options.busyTimeout.components.seconds * 1000 + options.busyTimeout.components.attoseconds / 1_000_000_000_000_000
        sqlite3_busy_timeout(db, Int32(clamping: milliseconds))
        // page_size first: it only takes effect before the first write, which switching to WAL is.
        let pageSize = options.pageSize.map { "PRAGMA page_size=\($0); " } ?? ""
        let setup = "\(pageSize)PRAGMA journal_mode=WAL; PRAGMA synchronous=\(options.synchronous); PRAGMA foreign_keys=ON"
        // Reading the WAL index while another process restarts the log can fail with SQLITE_PROTOCOL (15) after
        // SQLite's own retries (seen under load: a CLI opening the database while the daemon commits); it is
        // transient, so the set-up is tried again a few times before it counts.
        var tries = 0
        while true {
            do {
                try handle.exec(setup)
                break
            } catch let error where error.extendedCode & 0xff == SQLITE_PROTOCOL && tries < 5 {
                tries += 1
                usleep(UInt32(10_000 * tries))
            }
        }
        self.storage = Mutex(handle)
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE`) and commits with `durability` (default: synced);
    /// rolls back and rethrows if `body` throws. Throws `SQLiteError` when the lock cannot be had within the busy
    /// timeout or the commit fails, and whatever `body` throws.
    @discardableResult
    public func write<T: Sendable>(_ durability: Durability = .synced, _ body: (SQLiteTransaction) throws -> T) throws -> T {
        let unsynced = durability == .survivesProcessCrash && synchronous != "NORMAL" && synchronous != "OFF"
        return try transaction("BEGIN IMMEDIATE", unsynced ? "NORMAL" : nil, body)
    }

    /// Runs `body` in a read transaction: every query in it sees the same snapshot. Throws `SQLiteError`, and
    /// whatever `body` throws.
    @discardableResult
    public func read<T: Sendable>(_ body: (SQLiteTransaction) throws -> T) throws -> T {
        try transaction("BEGIN DEFERRED", nil, body)
    }

    /// Runs `body` between `begin` and `COMMIT`, with `synchronous` set to `commitSync` for this transaction when given.
    private func transaction<T: Sendable>(_ begin: String, _ commitSync: String?, _ body: (SQLiteTransaction) throws -> T) throws -> T {
        try storage.withLock { handle throws -> T in
            if let commitSync {
                try handle.run("PRAGMA synchronous=\(commitSync)")
            }
            let outcome: Result<T, any Error>
            do {
                try handle.run(begin)
                let value = try body(SQLiteTransaction(storage: handle))
                handle.releaseStatements()
                try handle.run("COMMIT")
                outcome = .success(value)
            } catch {
                handle.releaseStatements()
                if handle.inTransaction { try? handle.exec("ROLLBACK") }
                outcome = .failure(error)
            }
            // Back to the connection's setting, or fail loudly: later commits must not go unsynced.
            if commitSync != nil { try handle.run("PRAGMA synchronous=\(synchronous)") }
            return try outcome.get()
        }
    }
}
