import Foundation
import TestSupport

/// Small file-tree builders for data dir tests (everything under a ``ScratchDirectory``).
enum Fixtures {
    static func write(_ text: String, to path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A data dir that looks valid to sidecar: `PG_VERSION`, `global/pg_control` and a few more files.
    static func makeCluster(at path: String, version: String = "15") throws {
        try write("\(version)\n", to: path + "/PG_VERSION")
        try write("control", to: path + "/global/pg_control")
        try write("# conf\n", to: path + "/postgresql.conf")
        try write("local all all peer\n", to: path + "/pg_hba.conf")
        try write("table", to: path + "/base/1/1259")
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func entries(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }
}

extension Fixtures {
    static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }
}
