import Foundation
import SQLite
import TestSupport
import Testing

@Suite struct MigratorTests {
    static let steps = [
        Migration(1, "table", sql: "CREATE TABLE t (v INTEGER NOT NULL)"),
        Migration(2, "column", sql: "ALTER TABLE t ADD COLUMN w TEXT; CREATE INDEX t_w ON t (w)"),
    ]

    @Test func migratesAnEmptyFileAndLeavesAnExistingOneAlone() throws {
        let scratch = try ScratchDirectory("migrate")
        defer { scratch.remove() }
        let path = scratch.file("m.sqlite")
        let first = try Migrator(Self.steps).migrate(SQLiteConnection(path: path))
        #expect(first == Migrator.Result(from: 0, to: 2))
        try SQLiteConnection(path: path).write { tx in try tx.execute("INSERT INTO t (v, w) VALUES (?, ?)", 1, "x") }

        let reopened = try SQLiteConnection(path: path)
        #expect(try Migrator(Self.steps).migrate(reopened) == Migrator.Result(from: 2, to: 2))
        #expect(try reopened.read { try $0.queryFirst("SELECT count(*) FROM t")?[0] as Int? } == 1)
    }

    @Test func upgradesStepByStep() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try Migrator(Array(Self.steps.prefix(1))).migrate(connection)
        let result = try Migrator(Self.steps).migrate(connection)
        #expect(result == Migrator.Result(from: 1, to: 2))
        #expect(try connection.read { try Migrator.version(of: $0) } == 2)
    }

    @Test func aFailingStepLeavesTheSchemaAsItWas() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let broken = Self.steps + [Migration(3, "broken", sql: "CREATE TABLE u (x); CREATE TABLE u (y)")]
        let error = #expect(throws: SQLiteError.self) { try Migrator(broken).migrate(connection) }
        #expect(error?.message.contains("migration 3 (broken)") == true)
        let state = try connection.read { tx in
            (try Migrator.version(of: tx), try tx.query("SELECT name FROM sqlite_master WHERE name IN ('t', 'u')").count)
        }
        #expect(state.0 == 0)
        #expect(state.1 == 0)
    }

    @Test func aNewerDatabaseIsRefused() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try Migrator(Self.steps).migrate(connection)
        let error = #expect(throws: SQLiteError.self) { try Migrator(Array(Self.steps.prefix(1))).migrate(connection) }
        #expect(error?.message.contains("newer") == true)
    }
}
