import Foundation

/// A PostgreSQL data directory on disk: its state, version, and the safe ways to clear it.
///
/// Everything that removes files refuses `/`, an empty path, the state dir (or a path containing it or inside it)
/// and a directory a live postmaster owns, and never removes anything outside the data dir and its links.
public struct DataDirectory: Sendable {
    /// The configured path, as given.
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// A file inside the data dir.
    public func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Classifies the data dir (SPEC §2).
    ///
    /// - Parameter imagingUnfinished: whether the job store shows an imaging of this data dir that never finished.
    /// - Throws: ``PostgresError`` with code `io` when the path exists but cannot be listed.
    public func state(imagingUnfinished: Bool) throws -> DataDirectoryState {
        if isValid { return .valid }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return .empty }
            throw AtomicFile.ioError("could not examine data dir \(path)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            return imagingUnfinished ? .interrupted : .foreign
        }
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw PostgresError(.io, "could not list data dir \(path); check that sidecar's user may read it", cause: error)
        }
        if entries.allSatisfy({ $0.hasPrefix(".") || $0 == "lost+found" }) { return .empty }
        return imagingUnfinished ? .interrupted : .foreign
    }

    /// `global/pg_control` and `PG_VERSION` both exist.
    public var isValid: Bool {
        FileManager.default.fileExists(atPath: file("global/pg_control")) && FileManager.default.fileExists(atPath: file("PG_VERSION"))
    }

    /// The major version from `PG_VERSION`. Throws ``PostgresError`` (`io` when unreadable, `parse` when not a version).
    public func version() throws -> PostgresVersion {
        guard let text = try AtomicFile.read(file("PG_VERSION")) else {
            throw PostgresError(.io, "\(file("PG_VERSION")) does not exist; the data dir is not a PostgreSQL cluster")
        }
        return try PostgresVersion(parsing: text)
    }
}
