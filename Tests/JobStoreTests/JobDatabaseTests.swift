import Foundation
import SQLite
import TestSupport
import Testing

@testable import JobStore

@Suite struct JobDatabaseTests {
    @Test func createsAPrivateStateDirAndDatabaseAndReopensIt() throws {
        let scratch = try ScratchDirectory("jobdb")
        defer { scratch.remove() }
        let state = scratch.file("state")
        let first = try JobDatabase(stateDirectory: state)
        _ = try JobQueue(database: first).enqueue(JobRequest(kind: .image, source: .cli, scope: "s", dataDirectory: "/d"))

        let attributes = FileManager.default
        #expect(try attributes.attributesOfItem(atPath: state)[.posixPermissions] as? Int == 0o700)
        #expect(try attributes.attributesOfItem(atPath: state + "/jobs.sqlite")[.posixPermissions] as? Int == 0o600)
        #expect(try first.connection.read { try Migrator.version(of: $0) } == JobSchema.migrator.latestVersion)

        let reopened = try JobDatabase(stateDirectory: state, create: false)
        #expect(try AuditHistory(database: reopened).jobs().map(\.dataDirectory) == ["/d"])
    }

    @Test func aMissingDatabaseIsAnErrorWithoutCreate() throws {
        let scratch = try ScratchDirectory("jobdb")
        defer { scratch.remove() }
        let error = #expect(throws: JobStoreError.self) { try JobDatabase(stateDirectory: scratch.path, create: false) }
        #expect(error?.code == .database)
        #expect(error?.message.contains("no job database") == true)
        #expect(FileManager.default.fileExists(atPath: scratch.file("jobs.sqlite")) == false)
    }

    @Test func aFileThatIsNotADatabaseIsADatabaseError() throws {
        let scratch = try ScratchDirectory("jobdb")
        defer { scratch.remove() }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: scratch.file("jobs.sqlite")))
        let error = #expect(throws: JobStoreError.self) { try JobDatabase(stateDirectory: scratch.path) }
        #expect(error?.code == .database)
    }

    @Test func constraintsRefuseInconsistentRows() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let connection = fixture.database.connection
        let insert = "INSERT INTO jobs (kind, source, scope, data_dir, state, not_before, created_at, updated_at, finished_at)"
        let bad = [
            "\(insert) VALUES ('image', 'auto', 's', '/a', 'exploded', 0, 0, 0, NULL)",  // unknown state
            "\(insert) VALUES ('image', 'auto', 's', '/a', 'succeeded', 0, 0, 0, NULL)",  // final without finished_at
            "\(insert) VALUES ('image', 'auto', 's', '/a', 'queued', 0, 0, 0, 5)",  // finished_at on an unfinished job
            "\(insert) VALUES ('image', 'auto', 's', '/a', 'running', 0, 0, 0, NULL)",  // running without owner and lease
            "\(insert) VALUES ('clone', 'auto', 's', '/a', 'queued', 0, 0, 0, NULL)",  // unknown kind
            "\(insert) VALUES ('image', 'auto', 's', '', 'queued', 0, 0, 0, NULL)",  // empty data dir
        ]
        for sql in bad {
            let error = #expect(throws: SQLiteError.self, "\(sql)") { try connection.write { try $0.execute(sql) } }
            #expect(error?.isConstraintViolation == true)
        }
        // At most one unfinished job per data dir, even written behind the queue's back.
        try connection.write { try $0.execute("\(insert) VALUES ('image', 'auto', 's', '/a', 'queued', 0, 0, 0, NULL)") }
        let duplicate = #expect(throws: SQLiteError.self) {
            try connection.write { try $0.execute("\(insert) VALUES ('replica', 'cli', 's', '/a', 'queued', 0, 0, 0, NULL)") }
        }
        #expect(duplicate?.isUniqueViolation == true)
        try connection.write { try $0.execute("\(insert) VALUES ('replica', 'cli', 's', '/a', 'failed', 0, 0, 0, 1)") }
    }

    @Test func deletingAJobCascadesToAttemptsAndEvents() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        _ = try queue.enqueue(fixture.request(), now: fixture.t0)
        let claim = try #require(try queue.claim(now: fixture.t0))
        _ = try fixture.history.openAttempt(claim.lease, AttemptStart(position: 0, method: "basebackup"), now: fixture.t0)
        try fixture.database.connection.write { try $0.execute("DELETE FROM jobs WHERE id = ?", claim.job.id) }
        let left = try fixture.database.connection.read { tx in
            (try tx.queryFirst("SELECT count(*) FROM attempts")?[0] as Int?, try tx.queryFirst("SELECT count(*) FROM events")?[0] as Int?)
        }
        #expect(left.0 == 0)
        #expect(left.1 == 0)
    }
}
