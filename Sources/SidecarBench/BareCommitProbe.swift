import Foundation
import JobStore
import SQLite

/// Measures the cheapest commit SQLite can make with the job store's settings (WAL, `synchronous=FULL`, 1 KiB
/// pages): `BEGIN IMMEDIATE`, one 100-byte row into a table without indexes, `COMMIT`. It is the ceiling for any
/// synced commit of the job store on this disk: a cycle of N synced commits cannot run faster than N of these. Call
/// `measure` in slices between the work it is compared with; `rate` is over all slices.
final class BareCommitProbe {
    private let connection: SQLiteConnection
    private let path: String
    private let row = [UInt8](repeating: 0x61, count: 100)
    private var count = 0
    private var elapsed = Duration.zero

    init(path: String) throws {
        self.path = path
        var options = SQLiteConnection.Options()
        options.pageSize = JobDatabase.pageSize
        connection = try SQLiteConnection(path: path, options: options)
        try connection.write { try $0.execute(script: "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL) STRICT") }
    }

    deinit {
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    }

    /// Commits one row at a time for about `duration`.
    func measure(for duration: Duration) throws {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + duration
        while clock.now < deadline {
            try connection.write { _ = try $0.execute("INSERT INTO t (v) VALUES (?)", row) }
            count += 1
        }
        elapsed += clock.now - started
    }

    /// Commits per second over every slice so far.
    var rate: Double { elapsed == .zero ? 0 : Double(count) / elapsed.inSeconds }

    /// Seconds per commit over every slice so far.
    var secondsPerCommit: Double { count == 0 ? 0 : elapsed.inSeconds / Double(count) }
}
