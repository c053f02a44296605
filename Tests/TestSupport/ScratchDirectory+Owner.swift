import Foundation

extension ScratchDirectory {
    /// Creates a scratch directory owned by `owner` (and that user's group): PostgreSQL's binaries run as `postgres`
    /// and refuse root, so their directories must be theirs. Throws when it cannot be created or given away.
    public init(_ label: String, owner: String) throws {
        try self.init(label)
        try Self.chown(path, to: owner)
    }

    /// Creates a subdirectory (mode 0700, owned by `owner` when given) and returns its path.
    @discardableResult
    public func makeDirectory(_ name: String, owner: String? = nil) throws -> String {
        let sub = file(name)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if let owner { try Self.chown(sub, to: owner) }
        return sub
    }

    /// Gives `path` to `user` and that user's primary group.
    public static func chown(_ path: String, to user: String) throws {
        guard let entry = getpwnam(user) else { throw TestSupportError("no user \(user) on this machine") }
        guard Foundation.chown(path, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw TestSupportError("chown \(path) to \(user) failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// A harness could not set something up; the message says what.
public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
