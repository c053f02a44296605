import Foundation

/// A fresh directory under `/tmp` for one test, removed with `remove()` (or left for inspection if a test crashes).
public struct ScratchDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates `/tmp/sidecar-<label>-<random>` with mode 0700. Throws when the directory cannot be created.
    public init(_ label: String = "test") throws {
        let path = "/tmp/sidecar-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.path = path
    }

    /// `path` joined with `name`.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Removes the directory and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
