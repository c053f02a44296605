import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Wiping a data dir (SPEC §2)")
struct WipeTests {
    @Test("contents go, symlinked pg_wal and tablespace targets are emptied, nothing outside is touched, 0700 dir remains")
    func wipeFollowsLinks() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let data = dir.file("data")
        try Fixtures.makeCluster(at: data)
        chmod(data, 0o750)
        let wal = dir.file("wal")
        try Fixtures.write("segment", to: wal + "/000000010000000000000001")
        try Fixtures.write("status", to: wal + "/archive_status/x.done")
        try FileManager.default.createSymbolicLink(atPath: data + "/pg_wal", withDestinationPath: wal)
        let tablespace = dir.file("ts1")
        try Fixtures.write("rel", to: tablespace + "/PG_15_202209061/16384/16385")
        try Fixtures.makeDirectory(data + "/pg_tblspc")
        try FileManager.default.createSymbolicLink(atPath: data + "/pg_tblspc/16390", withDestinationPath: tablespace)
        // Links that must not be followed: to a file and to a directory outside, both next to the data dir.
        let outsideFile = dir.file("keep.txt")
        try Fixtures.write("keep me", to: outsideFile)
        try FileManager.default.createSymbolicLink(atPath: data + "/conf-link", withDestinationPath: outsideFile)
        let outsideDir = dir.file("keepdir")
        try Fixtures.write("keep me too", to: outsideDir + "/inner")
        try FileManager.default.createSymbolicLink(atPath: data + "/base/dir-link", withDestinationPath: outsideDir)
        let state = dir.file("state")
        try Fixtures.makeDirectory(state)

        try DataDirectory(path: data).wipe(stateDirectory: state)

        #expect(try Fixtures.entries(data) == [])
        #expect(try Fixtures.mode(data) == 0o700)
        #expect(try Fixtures.entries(wal) == [])
        #expect(try Fixtures.entries(tablespace) == [])
        #expect(try Fixtures.read(outsideFile) == "keep me")
        #expect(try Fixtures.read(outsideDir + "/inner") == "keep me too")
        #expect(try Fixtures.entries(dir.path) == ["data", "keep.txt", "keepdir", "state", "ts1", "wal"])
    }

    @Test("a symlinked data dir keeps its link; the target is emptied")
    func symlinkedDataDir() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let target = dir.file("volume")
        try Fixtures.makeCluster(at: target)
        let data = dir.file("data")
        try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: target)
        try DataDirectory(path: data).wipe(stateDirectory: dir.file("state"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: data) == target)
        #expect(try Fixtures.entries(target) == [])
        #expect(try Fixtures.mode(target) == 0o700)
    }

    @Test("a missing data dir is created empty with mode 0700")
    func missing() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let data = dir.file("nested/data")
        try DataDirectory(path: data).wipe(stateDirectory: dir.file("state"))
        #expect(try Fixtures.entries(data) == [])
        #expect(try Fixtures.mode(data) == 0o700)
    }

    @Test("a pg_wal link leading to a directory that contains the data dir is refused and nothing is removed")
    func linkToParentRefused() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let data = dir.file("data")
        try Fixtures.makeCluster(at: data)
        try FileManager.default.createSymbolicLink(atPath: data + "/pg_wal", withDestinationPath: dir.path)
        let error = try #require(throws: PostgresError.self) { try DataDirectory(path: data).wipe(stateDirectory: dir.file("state")) }
        #expect(error.code == .refused)
        #expect(Fixtures.exists(data + "/global/pg_control"))
    }

    @Test("a data dir path that is a plain file is refused")
    func plainFile() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try Fixtures.write("x", to: dir.file("data"))
        let error = try #require(throws: PostgresError.self) {
            try DataDirectory(path: dir.file("data")).wipe(stateDirectory: dir.file("state"))
        }
        #expect(error.code == .refused)
        #expect(try Fixtures.read(dir.file("data")) == "x")
    }
}
