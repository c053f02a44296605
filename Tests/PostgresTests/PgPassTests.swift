import Foundation
import Postgres
import TestSupport
import Testing

@Suite("pgpass file")
struct PgPassTests {
    @Test(
        "fields escape colon and backslash",
        arguments: [("plain", "plain"), ("a:b", "a\\:b"), ("a\\b", "a\\\\b"), ("::\\", "\\:\\:\\\\"), ("sp ace'", "sp ace'")]
    )
    func escaping(raw: String, escaped: String) {
        #expect(PgPass.escape(raw) == escaped)
    }

    @Test("a line is host:port:*:user:password with every field escaped")
    func line() {
        let entry = PgPass.Entry(host: "fe80::1", port: 5432, user: "rep:l", password: "p\\w:d")
        #expect(entry.line == "fe80\\:\\:1:5432:*:rep\\:l:p\\\\w\\:d")
    }

    @Test("the file is written atomically with mode 0600, replacing an older one, leaving no temporary file")
    func fileMode() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let path = dir.file("pgpass")
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
        let pgpass = PgPass(entries: [
            PgPass.Entry(host: "10.0.0.1", port: 5432, user: "replicator", password: "pw1"),
            PgPass.Entry(host: "10.0.0.2", port: 5433, user: "replicator", password: "pw2"),
        ])
        try pgpass.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "10.0.0.1:5432:*:replicator:pw1\n10.0.0.2:5433:*:replicator:pw2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["pgpass"])
    }
}
