import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Moving a failed data dir aside (SPEC §2)")
struct MoveAsideTests {
    /// Runs `count` failures in a row, each leaving a data dir whose `PG_VERSION` says which failure it was.
    func fail(times count: Int, keepFailed: Int, in dir: ScratchDirectory) throws -> [MoveAsideResult] {
        let data = DataDirectory(path: dir.file("data"))
        var results: [MoveAsideResult] = []
        for run in 1...count {
            try Fixtures.makeCluster(at: data.path, version: "\(run)")
            results.append(try data.moveAside(keepFailed: keepFailed, stateDirectory: dir.file("state")))
        }
        return results
    }

    @Test("keep_failed 1 keeps only the latest failure in <data_dir>.failed and leaves an empty 0700 data dir")
    func keepOne() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let results = try fail(times: 3, keepFailed: 1, in: dir)
        #expect(results == Array(repeating: .moved(to: dir.file("data.failed")), count: 3))
        #expect(try Fixtures.entries(dir.path) == ["data", "data.failed"])
        #expect(try Fixtures.read(dir.file("data.failed/PG_VERSION")) == "3\n")
        #expect(try Fixtures.entries(dir.file("data")) == [])
        #expect(try Fixtures.mode(dir.file("data")) == 0o700)
    }

    @Test("keep_failed 3 rotates .failed → .failed.1 → .failed.2 and drops the oldest")
    func keepThree() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        _ = try fail(times: 5, keepFailed: 3, in: dir)
        #expect(try Fixtures.entries(dir.path) == ["data", "data.failed", "data.failed.1", "data.failed.2"])
        #expect(try Fixtures.read(dir.file("data.failed/PG_VERSION")) == "5\n")
        #expect(try Fixtures.read(dir.file("data.failed.1/PG_VERSION")) == "4\n")
        #expect(try Fixtures.read(dir.file("data.failed.2/PG_VERSION")) == "3\n")
    }

    @Test("dropping the oldest copy removes a pg_wal link in it without emptying the link's target")
    func dropDoesNotFollowLinks() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let wal = dir.file("wal")
        try Fixtures.write("segment", to: wal + "/000000010000000000000001")
        try Fixtures.makeCluster(at: dir.file("data.failed"))
        try FileManager.default.createSymbolicLink(atPath: dir.file("data.failed/pg_wal"), withDestinationPath: wal)
        try Fixtures.makeCluster(at: dir.file("data"))
        let result = try DataDirectory(path: dir.file("data")).moveAside(keepFailed: 1, stateDirectory: dir.file("state"))
        #expect(result == .moved(to: dir.file("data.failed")))
        #expect(!Fixtures.exists(dir.file("data.failed/pg_wal")))
        #expect(try Fixtures.entries(wal) == ["000000010000000000000001"])
    }

    @Test("keep_failed 0 wipes; a missing data dir is reported absent")
    func keepNoneAndAbsent() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let data = DataDirectory(path: dir.file("data"))
        #expect(try data.moveAside(keepFailed: 1, stateDirectory: dir.file("state")) == .absent)
        try Fixtures.makeCluster(at: data.path)
        #expect(try data.moveAside(keepFailed: 0, stateDirectory: dir.file("state")) == .wiped(reason: "keep_failed is 0"))
        #expect(try Fixtures.entries(dir.path) == ["data"])
    }

    @Test("a data dir that is a mount point cannot be renamed: it is wiped, stays mounted and says so")
    func mountPoint() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let data = try dir.makeDirectory("data")
        let mount = try AsUser.run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=16m", "sidecar-test", data], user: nil)
        try #require(mount.succeeded, "mounting a tmpfs needs root with CAP_SYS_ADMIN: \(mount.stderr)")
        defer { _ = try? AsUser.run(["/usr/bin/umount", data], user: nil) }
        try Fixtures.makeCluster(at: data)
        let result = try DataDirectory(path: data).moveAside(keepFailed: 1, stateDirectory: dir.file("state"))
        guard case .wiped(let reason) = result else {
            Issue.record("expected a wipe, got \(result)")
            return
        }
        #expect(reason.contains("mount point"))
        #expect(try Fixtures.entries(data) == [])
        #expect(try Fixtures.mode(data) == 0o700)
        #expect(try AsUser.run(["/usr/bin/mountpoint", "-q", data], user: nil).succeeded)
        #expect(!Fixtures.exists(dir.file("data.failed")))
    }

    @Test("when the rename itself fails (here EBUSY: <data_dir>.failed is a mount point) the data dir is wiped instead")
    func renameFails() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let failed = try dir.makeDirectory("data.failed")
        let mount = try AsUser.run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=16m", "sidecar-test", failed], user: nil)
        try #require(mount.succeeded, "mounting a tmpfs needs root with CAP_SYS_ADMIN: \(mount.stderr)")
        defer { _ = try? AsUser.run(["/usr/bin/umount", failed], user: nil) }
        try Fixtures.makeCluster(at: dir.file("data"))
        let result = try DataDirectory(path: dir.file("data")).moveAside(keepFailed: 1, stateDirectory: dir.file("state"))
        guard case .wiped(let reason) = result else {
            Issue.record("expected a wipe, got \(result)")
            return
        }
        #expect(reason.contains("could not rename"))
        #expect(try Fixtures.entries(dir.file("data")) == [])
        #expect(try Fixtures.mode(dir.file("data")) == 0o700)
    }

    @Test("a symlinked data dir is wiped through the link instead of renaming the link")
    func symlinked() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try Fixtures.makeCluster(at: dir.file("volume"))
        try FileManager.default.createSymbolicLink(atPath: dir.file("data"), withDestinationPath: dir.file("volume"))
        let result = try DataDirectory(path: dir.file("data")).moveAside(keepFailed: 1, stateDirectory: dir.file("state"))
        guard case .wiped(let reason) = result else {
            Issue.record("expected a wipe, got \(result)")
            return
        }
        #expect(reason.contains("symbolic link"))
        #expect(try Fixtures.entries(dir.file("volume")) == [])
        #expect(FileTreeCheck.isSymlink(dir.file("data")))
    }
}

enum FileTreeCheck {
    static func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }
}
