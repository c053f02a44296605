import Foundation
import SQLite
import Testing

@testable import JobStore

/// What the job database stores and how: argv and options text written without Foundation's JSON coders, and the
/// page size of new files.
@Suite struct StorageFormatTests {
    @Test(arguments: [
        [], [""], ["/usr/bin/pg_basebackup", "-D", "/data"], ["quote\"d", "back\\slash", "new\nline\ttab\rcr"],
        ["\u{01}\u{1f}\u{7f}", "grüße ✓ 🐘", "--dbname=host=a user=b"],
    ])
    func argvTextIsJSONThatReadsBackTheSame(_ argv: [String]) throws {
        let text = ArgvJSON.encode(argv)
        #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == argv)
        let valid = try SQLiteConnection(path: ":memory:").read { tx in
            try tx.queryFirst("SELECT json_valid(?) AND json_type(?) = 'array'", text, text)?[0] as Bool?
        }
        #expect(valid == true)
    }

    @Test func storedArgvReadsBackMasked() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let queue = fixture.queue()
        _ = try queue.enqueue(fixture.request(), now: fixture.t0)
        let argv = ["/hooks/restore", "--password=s3cret", "--label=\"nightly\"", "tab\there"]
        let claim = try #require(try queue.claim(opening: AttemptStart(position: 0, method: "restore", argv: argv), now: fixture.t0))
        let attempt = try #require(try fixture.history.attempts(jobID: claim.job.id).first)
        #expect(attempt.argv == ["/hooks/restore", "--password=******", "--label=\"nightly\"", "tab\there"])
    }

    @Test func optionsReadBackWithAndWithoutTheFastPath() {
        for fromLeader in [false, true] {
            for force in [false, true] {
                let options = JobOptions(fromLeader: fromLeader, force: force)
                #expect(JobOptions(json: options.json) == options)
            }
        }
        // Text written otherwise (spaces, key order, unknown keys) still reads through the decoder.
        #expect(JobOptions(json: #"{ "from_leader" : true, "other": 1 }"#) == JobOptions(fromLeader: true))
        #expect(JobOptions(json: #"{"from_leader":true,"force":true}"#) == JobOptions(fromLeader: true, force: true))
        #expect(JobOptions(json: "not json") == JobOptions())
    }

    @Test func newFilesUseSmallPagesAndOldFilesKeepTheirs() throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let pageSize = try fixture.database.connection.read { try $0.queryFirst("PRAGMA page_size")?[0] as Int? }
        #expect(pageSize == JobDatabase.pageSize)

        // A file made with SQLite's default page size (as every database before this change) opens and works.
        let old = fixture.scratch.file("old.sqlite")
        _ = try SQLiteConnection(path: old)
        let reopened = try JobDatabase(path: old)
        #expect(try reopened.connection.read { try $0.queryFirst("PRAGMA page_size")?[0] as Int? } == 4096)
        let queue = JobQueue(database: reopened)
        let job = try queue.enqueue(JobRequest(kind: .image, source: .cli, scope: "s", dataDirectory: "/d")).job
        #expect(try AuditHistory(database: reopened).job(id: job.id).state == .queued)
    }
}
