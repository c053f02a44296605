import Foundation

/// A fresh directory under /tmp for one test, removed when the test ends.
final class FixtureTree {
    let path: String

    init() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hooks-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        self.path = path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Creates directory `relative` with `mode`, returns its path.
    @discardableResult
    func directory(_ relative: String, mode: Int = 0o755) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        return full
    }

    /// Writes a `/bin/sh` script at `relative` with `mode`, returns its path.
    @discardableResult
    func script(_ relative: String, mode: Int = 0o755, body: String = "exit 0") throws -> String {
        let full = path + "/" + relative
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: full))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        return full
    }

    /// Makes a symlink at `relative` pointing to `target`, returns its path.
    @discardableResult
    func symlink(_ relative: String, to target: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createSymbolicLink(atPath: full, withDestinationPath: target)
        return full
    }
}
