import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Data dir state (SPEC §2)")
struct DataDirectoryStateTests {
    enum Layout: String, CaseIterable, Sendable {
        case absent, emptyDirectory, onlyHiddenAndLostFound, cluster, clusterWithoutPgControl, strayFile, plainFile
    }

    func make(_ layout: Layout, in dir: ScratchDirectory) throws -> DataDirectory {
        let path = dir.file("data")
        switch layout {
        case .absent: break
        case .emptyDirectory: try Fixtures.makeDirectory(path)
        case .onlyHiddenAndLostFound:
            try Fixtures.makeDirectory(path + "/lost+found")
            try Fixtures.write("x", to: path + "/.hidden")
        case .cluster: try Fixtures.makeCluster(at: path)
        case .clusterWithoutPgControl:
            try Fixtures.makeCluster(at: path)
            try FileManager.default.removeItem(atPath: path + "/global/pg_control")
        case .strayFile: try Fixtures.write("notes", to: path + "/notes.txt")
        case .plainFile: try Fixtures.write("I am a file", to: path)
        }
        return DataDirectory(path: path)
    }

    @Test(
        "state by layout and by whether an imaging of the dir never finished",
        arguments: [
            (Layout.absent, false, DataDirectoryState.empty), (.absent, true, .empty),
            (.emptyDirectory, false, .empty), (.emptyDirectory, true, .empty),
            (.onlyHiddenAndLostFound, false, .empty), (.onlyHiddenAndLostFound, true, .empty),
            (.cluster, false, .valid), (.cluster, true, .valid),
            (.clusterWithoutPgControl, false, .foreign), (.clusterWithoutPgControl, true, .interrupted),
            (.strayFile, false, .foreign), (.strayFile, true, .interrupted),
            (.plainFile, false, .foreign), (.plainFile, true, .interrupted),
        ]
    )
    func state(layout: Layout, imagingUnfinished: Bool, expected: DataDirectoryState) throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let data = try make(layout, in: dir)
        #expect(try data.state(imagingUnfinished: imagingUnfinished) == expected)
    }

    @Test("PG_VERSION is read as a major version", arguments: [("9.6\n", 9, 6, false), ("11", 11, 0, false), ("15\n", 15, 0, true)])
    func version(text: String, major: Int, minor: Int, signalFiles: Bool) throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try Fixtures.write(text, to: dir.file("PG_VERSION"))
        let version = try DataDirectory(path: dir.path).version()
        #expect(version == PostgresVersion(major: major, minor: minor))
        #expect(version.usesSignalFiles == signalFiles)
    }

    @Test("a PG_VERSION that is not a version is a parse error")
    func badVersion() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try Fixtures.write("fifteen\n", to: dir.file("PG_VERSION"))
        let error = try #require(throws: PostgresError.self) { try DataDirectory(path: dir.path).version() }
        #expect(error.code == .parse)
    }
}
