import Foundation

extension DataDirectory {
    /// Removes the data dir's contents and leaves it an empty mode-0700 directory (so a mount point keeps working).
    ///
    /// A symlinked data dir, a symlinked `pg_wal`/`pg_xlog` and the tablespace links in `pg_tblspc` are followed and their
    /// targets emptied (the target directories themselves stay); every other link is removed without being followed.
    /// A missing data dir is created. Throws ``PostgresError``: `refused` (see ``checkSafeToClear(stateDirectory:)``, or a
    /// link leading to `/`, the state dir or above the data dir), `io` when something cannot be removed.
    public func wipe(stateDirectory: String) throws {
        try checkSafeToClear(stateDirectory: stateDirectory)
        let root = PathName.resolved(path)
        var info = stat()
        guard stat(root, &info) == 0 else {
            guard errno == ENOENT else { throw AtomicFile.ioError("could not examine data dir \(path)") }
            try createEmpty(root)
            return
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw PostgresError(.refused, "refusing to wipe '\(path)': it is not a directory; remove or move it yourself")
        }
        for target in try linkTargets(root: root) {
            try checkLinkTarget(target, root: root, stateDirectory: stateDirectory)
            try FileTree.removeContents(of: target)
        }
        try FileTree.removeContents(of: root)
        guard chmod(root, 0o700) == 0 else { throw AtomicFile.ioError("could not set mode 0700 on \(root)") }
    }

    /// The resolved targets of a symlinked `pg_wal`/`pg_xlog` and of the links in `pg_tblspc`.
    func linkTargets(root: String) throws -> [String] {
        var links = ["pg_wal", "pg_xlog"].map { root + "/" + $0 }
        let tablespaces = root + "/pg_tblspc"
        if FileTree.isDirectory(tablespaces), let entries = try? FileManager.default.contentsOfDirectory(atPath: tablespaces) {
            links += entries.sorted().map { tablespaces + "/" + $0 }
        }
        return links.filter(FileTree.isSymlink).compactMap { link in
            let target = PathName.resolved(link)
            return FileTree.isDirectory(target) && target != PathName.lexical(link) ? target : nil
        }
    }

    private func checkLinkTarget(_ target: String, root: String, stateDirectory: String) throws {
        let stateDir = stateDirectory.isEmpty ? nil : PathName.resolved(stateDirectory)
        let unsafe =
            target == "/" || PathName.isWithin(root, target)
            || stateDir.map { PathName.isWithin(target, $0) || PathName.isWithin($0, target) } ?? false
        if unsafe {
            throw PostgresError(
                .refused,
                "refusing to wipe '\(path)': a link in it leads to '\(target)', which is /, the state dir or contains the data dir; fix the link"
            )
        }
    }

    func createEmpty(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw PostgresError(.io, "could not create data dir \(directory); check the parent directory's owner and mode", cause: error)
        }
        guard chmod(directory, 0o700) == 0 else { throw AtomicFile.ioError("could not set mode 0700 on \(directory)") }
    }
}

/// Recursive removal that never follows a symlink and never crosses into another filesystem.
enum FileTree {
    static func lstatMode(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    static func isSymlink(_ path: String) -> Bool { lstatMode(path) == S_IFLNK }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    static func device(_ path: String) -> dev_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_dev : nil
    }

    /// Removes everything inside `directory` (not following links); a directory that is a mount point is emptied, not removed.
    static func removeContents(of directory: String) throws {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PostgresError(.io, "could not list \(directory); check that sidecar's user owns it", cause: error)
        }
        let device = self.device(directory)
        for entry in entries {
            try remove(directory + "/" + entry, parentDevice: device)
        }
    }

    /// Removes `path` and, when it is a directory (not a link), everything below it.
    static func remove(_ path: String, parentDevice: dev_t?) throws {
        guard let mode = lstatMode(path) else { return }
        if mode == S_IFDIR {
            try removeContents(of: path)
            if let parentDevice, device(path) != parentDevice { return }
            guard rmdir(path) == 0 || errno == ENOENT else { throw AtomicFile.ioError("could not remove directory \(path)") }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw AtomicFile.ioError("could not remove \(path)") }
        }
    }
}
