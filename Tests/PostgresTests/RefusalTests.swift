import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Refusals before a wipe or a move aside (SPEC §2)")
struct RefusalTests {
    @Test("the root directory, an empty path and the state dir are refused", arguments: ["/", "", "  ", "/tmp/..", "//"])
    func rootAndEmpty(path: String) throws {
        let data = DataDirectory(path: path)
        let error = try #require(throws: PostgresError.self) { try data.wipe(stateDirectory: "/nonexistent-state") }
        #expect(error.code == .refused)
        let moveError = try #require(throws: PostgresError.self) { try data.moveAside(keepFailed: 1, stateDirectory: "/nonexistent-state") }
        #expect(moveError.code == .refused)
    }

    enum Overlap: CaseIterable, Sendable { case same, dataContainsState, dataInsideState, sameThroughSymlink }

    @Test("a data dir that is, contains or is inside the state dir is refused and untouched", arguments: Overlap.allCases)
    func stateDirectory(overlap: Overlap) throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let data: String
        let state: String
        switch overlap {
        case .same:
            data = dir.file("x")
            state = dir.file("x/")
        case .dataContainsState:
            data = dir.file("x")
            state = dir.file("x/.sidecar")
        case .dataInsideState:
            data = dir.file("state/data")
            state = dir.file("state")
        case .sameThroughSymlink:
            data = dir.file("x")
            state = dir.file("link-to-x")
            try Fixtures.makeDirectory(data)
            try FileManager.default.createSymbolicLink(atPath: state, withDestinationPath: data)
        }
        try Fixtures.write("jobs", to: state + "/jobs.sqlite")
        let error = try #require(throws: PostgresError.self) { try DataDirectory(path: data).wipe(stateDirectory: state) }
        #expect(error.code == .refused)
        #expect(try Fixtures.read(state + "/jobs.sqlite") == "jobs")
    }

    @Test("a live postmaster blocks wipe and move aside; a stale postmaster.pid naming another program does not")
    func livePostmaster() throws {
        let cluster = try PostgresCluster.running()
        defer { cluster.remove() }
        let data = DataDirectory(path: cluster.dataDirectory)
        let pid = try #require(cluster.postmasterPID)
        #expect(data.livePostmasterPID() == pid)
        let error = try #require(throws: PostgresError.self) { try data.wipe(stateDirectory: "/nonexistent-state") }
        #expect(error.code == .refused)
        #expect(error.message.contains("\(pid)"))
        #expect(throws: PostgresError.self) { try data.moveAside(keepFailed: 1, stateDirectory: "/nonexistent-state") }
        #expect(data.isValid)

        let stale = try ScratchDirectory()
        defer { stale.remove() }
        try Fixtures.makeCluster(at: stale.file("data"))
        // Our own pid is alive but is not a PostgreSQL server: a reused pid after a crash.
        try Fixtures.write("\(getpid())\n/x\n", to: stale.file("data/postmaster.pid"))
        #expect(DataDirectory(path: stale.file("data")).livePostmasterPID() == nil)
        try DataDirectory(path: stale.file("data")).wipe(stateDirectory: stale.file("state"))
        #expect(try Fixtures.entries(stale.file("data")) == [])
    }
}
