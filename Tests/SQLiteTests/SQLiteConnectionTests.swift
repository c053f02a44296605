import Foundation
import SQLite
import TestSupport
import Testing

@Suite struct SQLiteConnectionTests {
    @Test func newFileIsPrivateWALWithFullSyncAndForeignKeys() throws {
        let scratch = try ScratchDirectory("sqlite")
        defer { scratch.remove() }
        let path = scratch.file("a.sqlite")
        let connection = try SQLiteConnection(path: path)
        let pragmas = try connection.read { tx in
            (
                try tx.queryFirst("PRAGMA journal_mode")?[0] as String?,
                try tx.queryFirst("PRAGMA synchronous")?[0] as Int?,
                try tx.queryFirst("PRAGMA foreign_keys")?[0] as Int?
            )
        }
        #expect(pragmas.0 == "wal")
        #expect(pragmas.1 == 2)  // FULL
        #expect(pragmas.2 == 1)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func missingFileWithoutCreateThrows() throws {
        let scratch = try ScratchDirectory("sqlite")
        defer { scratch.remove() }
        var options = SQLiteConnection.Options()
        options.create = false
        let error = #expect(throws: SQLiteError.self) { try SQLiteConnection(path: scratch.file("missing.sqlite"), options: options) }
        #expect(error?.code == 14)  // SQLITE_CANTOPEN
        #expect(FileManager.default.fileExists(atPath: scratch.file("missing.sqlite")) == false)
    }

    @Test func valuesRoundTripWithTheirTypes() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let bytes: [UInt8] = [0, 0xff, 0xfe, 10, 0x80]
        let row = try connection.write { tx in
            try tx.execute(script: "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, e BLOB, n TEXT) STRICT")
            try tx.execute(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", Int64.min, 2.5, "grüße ✓", bytes, [UInt8](), String?.none)
            return try #require(try tx.queryFirst("SELECT i, r, s, b, e, n FROM t"))
        }
        #expect(try row[0] as Int64 == Int64.min)
        #expect(try row["r"] as Double == 2.5)
        #expect(try row["s"] as String == "grüße ✓")
        #expect(try row["b"] as [UInt8] == bytes)
        #expect(try row["e"] as [UInt8] == [])
        #expect(try row["n"] as String? == nil)
        #expect(row.values[5] == .null)
        #expect(throws: SQLiteError.self) { try row["n"] as String }
        #expect(throws: SQLiteError.self) { try row["s"] as Int64 }
        #expect(throws: SQLiteError.self) { try row["nope"] as Int64 }
    }

    @Test func writeCommitsAndAThrowingClosureRollsBack() throws {
        struct Abort: Error {}
        let scratch = try ScratchDirectory("sqlite")
        defer { scratch.remove() }
        let connection = try SQLiteConnection(path: scratch.file("a.sqlite"))
        try connection.write { tx in
            try tx.execute(script: "CREATE TABLE t (v INTEGER NOT NULL)")
            try tx.execute("INSERT INTO t VALUES (?)", 1)
        }
        #expect(throws: Abort.self) {
            try connection.write { tx in
                try tx.execute("INSERT INTO t VALUES (?)", 2)
                throw Abort()
            }
        }
        let values = try connection.read { tx in try tx.query("SELECT v FROM t ORDER BY v").map { try $0[0] as Int } }
        #expect(values == [1])
        // A second connection (another process, as far as SQLite knows) sees the committed row.
        let other = try SQLiteConnection(path: scratch.file("a.sqlite"))
        #expect(try other.read { try $0.queryFirst("SELECT count(*) FROM t")?[0] as Int? } == 1)
    }

    @Test func anUnsyncedWriteCommitsWithNormalSyncAndPutsFullBack() throws {
        struct Abort: Error {}
        let scratch = try ScratchDirectory("sqlite")
        defer { scratch.remove() }
        let connection = try SQLiteConnection(path: scratch.file("a.sqlite"))
        try connection.write { tx in try tx.execute(script: "CREATE TABLE t (v INTEGER NOT NULL)") }
        let during = try connection.write(.survivesProcessCrash) { tx in
            try tx.execute("INSERT INTO t VALUES (?)", 1)
            return try tx.queryFirst("PRAGMA synchronous")?[0] as Int?
        }
        #expect(during == 1)  // NORMAL: no fdatasync at this commit
        #expect(throws: Abort.self) {
            try connection.write(.survivesProcessCrash) { tx in
                try tx.execute("INSERT INTO t VALUES (?)", 2)
                throw Abort()
            }
        }
        let after = try connection.write { tx in
            try tx.execute("INSERT INTO t VALUES (?)", 3)
            return try tx.queryFirst("PRAGMA synchronous")?[0] as Int?
        }
        #expect(after == 2)  // FULL again, also after a rolled-back unsynced write
        let other = try SQLiteConnection(path: scratch.file("a.sqlite"))
        #expect(try other.read { try $0.query("SELECT v FROM t ORDER BY v").map { try $0[0] as Int } } == [1, 3])
    }

    @Test func aHalfReadStatementDoesNotBlockTheCommit() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.write { tx in
            try tx.execute(script: "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3)")
        }
        let first = try connection.write { tx -> Int in
            let statement = try tx.prepare("SELECT v FROM t ORDER BY v")
            try statement.bind([])
            _ = try statement.step()
            try tx.execute("INSERT INTO t VALUES (?)", 4)
            return try statement.column(0)  // left un-reset on purpose
        }
        #expect(first == 1)
        #expect(try connection.read { try $0.queryFirst("SELECT count(*) FROM t")?[0] as Int? } == 4)
    }

    @Test func sameSQLWhileTheCachedStatementIsRunningGetsItsOwnStatement() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let pairs = try connection.write { tx -> [Int] in
            try tx.execute(script: "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2)")
            let outer = try tx.prepare("SELECT v FROM t ORDER BY v")
            try outer.bind([])
            var seen: [Int] = []
            while try outer.step() {
                seen.append(try outer.column(0))
                seen.append(try tx.query("SELECT v FROM t ORDER BY v").count)
            }
            return seen
        }
        #expect(pairs == [1, 2, 2, 2])
    }

    @Test func constraintViolationCarriesCodesAndSQL() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.write { tx in try tx.execute(script: "CREATE TABLE t (v INTEGER UNIQUE CHECK (v > 0))") }
        try connection.write { tx in try tx.execute("INSERT INTO t VALUES (?)", 1) }
        let unique = #expect(throws: SQLiteError.self) {
            try connection.write { tx in try tx.execute("INSERT INTO t VALUES (?)", 1) }
        }
        #expect(unique?.code == 19)
        #expect(unique?.extendedCode == 2067)
        #expect(unique?.isUniqueViolation == true)
        #expect(unique?.sql == "INSERT INTO t VALUES (?)")
        let check = #expect(throws: SQLiteError.self) {
            try connection.write { tx in try tx.execute("INSERT INTO t VALUES (?)", -1) }
        }
        #expect(check?.isConstraintViolation == true)
        #expect(check?.isUniqueViolation == false)
        #expect(check?.message.contains("CHECK") == true)
    }

    @Test func twoConnectionsWritingAtOnceWaitInsteadOfFailing() async throws {
        let scratch = try ScratchDirectory("sqlite")
        defer { scratch.remove() }
        let path = scratch.file("a.sqlite")
        try SQLiteConnection(path: path).write { tx in try tx.execute(script: "CREATE TABLE t (v INTEGER)") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    let connection = try SQLiteConnection(path: path)
                    for _ in 0..<200 {
                        try connection.write { tx in
                            let count: Int = try tx.queryFirst("SELECT count(*) FROM t")?[0] ?? 0
                            try tx.execute("INSERT INTO t VALUES (?)", count)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        // BEGIN IMMEDIATE serialises the read-then-insert: every count is distinct.
        let values = try SQLiteConnection(path: path).read { tx in try tx.query("SELECT v FROM t").map { try $0[0] as Int } }
        #expect(values.count == 400)
        #expect(Set(values).count == 400)
    }
}
