import Foundation
import SQLite

/// The ``KeyValueBackend`` of ``LocalDCS``: keys and leases in one SQLite file shared by several processes.
///
/// `keys.lease` NULL means no expiry; otherwise the key lives while its lease's `expires_at` is in the future.
/// Reads filter expired keys out; every write transaction first deletes expired leases (their keys cascade).
final class LocalStore: KeyValueBackend {
    private let connection: SQLiteConnection
    private let now: @Sendable () -> Date

    static let migrator = Migrator([
        Migration(
            1,
            "keys and leases",
            sql: """
                CREATE TABLE leases (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    ttl REAL NOT NULL CHECK (ttl > 0),
                    expires_at REAL NOT NULL
                ) STRICT;
                CREATE TABLE keys (
                    key TEXT PRIMARY KEY,
                    value TEXT NOT NULL,
                    lease INTEGER REFERENCES leases(id) ON DELETE CASCADE
                ) STRICT;
                CREATE INDEX keys_lease ON keys(lease) WHERE lease IS NOT NULL;
                """
        )
    ])

    init(path: String, lockTimeout: Duration, now: @escaping @Sendable () -> Date) throws(DCSError) {
        var options = SQLiteConnection.Options()
        options.busyTimeout = lockTimeout
        do {
            connection = try SQLiteConnection(path: path, options: options)
            try Self.migrator.migrate(connection)
        } catch {
            throw DCSError(.configuration, "cannot open the local DCS file \(path); check sidecar.dcs.local.path and its directory", cause: error)
        }
        self.now = now
    }

    private var timestamp: Double { now().timeIntervalSince1970 }

    func range(prefix: String) throws(DCSError) -> [(key: String, value: String)] {
        let now = timestamp
        return try access {
            try connection.read { transaction in
                try transaction.query(
                    """
                    SELECT k.key, k.value FROM keys k LEFT JOIN leases l ON l.id = k.lease
                    WHERE substr(k.key, 1, length(?1)) = ?1 AND (k.lease IS NULL OR l.expires_at > ?2) ORDER BY k.key
                    """,
                    prefix, now
                ).map { row in (try row[0] as String, try row[1] as String) }
            }
        }
    }

    func grant(ttl: Duration) throws(DCSError) -> Int64 {
        let now = timestamp
        let seconds = Double(ttl.leaseSeconds)
        return try access {
            try connection.write { transaction in
                try Self.expire(transaction, now: now)
                try transaction.execute("INSERT INTO leases (ttl, expires_at) VALUES (?, ?)", seconds, now + seconds)
                return transaction.lastInsertRowID
            }
        }
    }

    func keepAlive(lease: Int64) throws(DCSError) -> Bool {
        let now = timestamp
        return try access {
            try connection.write { transaction in
                try transaction.execute("UPDATE leases SET expires_at = ?1 + ttl WHERE id = ?2 AND expires_at > ?1", now, lease) == 1
            }
        }
    }

    func revoke(lease: Int64) throws(DCSError) {
        try access {
            try connection.write { transaction in _ = try transaction.execute("DELETE FROM leases WHERE id = ?", lease) }
        }
    }

    func txn(_ txn: KVTxn) throws(DCSError) -> KVTxn.Outcome {
        let now = timestamp
        return try access {
            try connection.write { transaction -> KVTxn.Outcome in
                try Self.expire(transaction, now: now)
                for compare in txn.compares {
                    switch compare {
                    case .absent(let key):
                        if try transaction.queryFirst("SELECT 1 FROM keys WHERE key = ?", key) != nil { return .failed }
                    case .valueEquals(let key, let value):
                        let row = try transaction.queryFirst("SELECT value FROM keys WHERE key = ?", key)
                        if try row.map({ try $0[0] as String }) != value { return .failed }
                    }
                }
                for case .put(_, _, let lease?) in txn.success {
                    if try transaction.queryFirst("SELECT 1 FROM leases WHERE id = ?", lease) == nil { return .leaseNotFound }
                }
                for operation in txn.success {
                    switch operation {
                    case .put(let key, let value, let lease):
                        try transaction.execute(
                            "INSERT INTO keys (key, value, lease) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, lease = excluded.lease",
                            key, value, lease
                        )
                    case .delete(let key):
                        try transaction.execute("DELETE FROM keys WHERE key = ?", key)
                    }
                }
                return .succeeded
            }
        }
    }

    /// Deletes expired leases; their keys go with them (`ON DELETE CASCADE`).
    private static func expire(_ transaction: SQLiteTransaction, now: Double) throws {
        try transaction.execute("DELETE FROM leases WHERE expires_at <= ?", now)
    }

    /// Maps SQLite failures: a lock held past the timeout is `.unreachable` (try again next cycle), anything else
    /// `.configuration` (the file is damaged or not writable).
    private func access<T>(_ body: () throws -> T) throws(DCSError) -> T {
        do {
            return try body()
        } catch let error as SQLiteError where error.isBusy {
            throw DCSError(.unreachable, "the local DCS file \(connection.path) stayed locked by another process past retry_timeout", cause: error)
        } catch {
            throw DCSError(.configuration, "the local DCS file \(connection.path) could not be used; check its permissions and disk", cause: error)
        }
    }
}
