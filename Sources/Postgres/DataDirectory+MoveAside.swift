import Foundation

extension DataDirectory {
    /// `<data_dir>.failed` for `index` 0, `<data_dir>.failed.<index>` otherwise.
    public func failedPath(_ index: Int) -> String {
        let base = PathName.lexical(path) + ".failed"
        return index == 0 ? base : "\(base).\(index)"
    }

    /// Renames the data dir to `<data_dir>.failed`, shifting older ones to `.failed.1` ... and dropping the one past
    /// `keepFailed`; then leaves an empty mode-0700 directory at the data dir's path.
    ///
    /// Where a rename is impossible or would be wrong (`keepFailed` 0, a symlinked data dir, a mount point, any rename
    /// error such as `EXDEV` or `EBUSY`) it wipes instead and says why in ``MoveAsideResult/wiped(reason:)``.
    /// Throws ``PostgresError``: `refused` as ``wipe(stateDirectory:)`` does, `io` when the rotation or the wipe fails.
    public func moveAside(keepFailed: Int, stateDirectory: String) throws -> MoveAsideResult {
        try checkSafeToClear(stateDirectory: stateDirectory)
        let source = PathName.lexical(path)
        guard let mode = FileTree.lstatMode(source) else { return .absent }
        if keepFailed <= 0 {
            return try wiped("keep_failed is 0", stateDirectory: stateDirectory)
        }
        if mode == S_IFLNK {
            return try wiped("the data dir is a symbolic link; its target was wiped instead of renamed", stateDirectory: stateDirectory)
        }
        let parent = (source as NSString).deletingLastPathComponent
        if let device = FileTree.device(source), let parentDevice = FileTree.device(parent), device != parentDevice {
            return try wiped("the data dir is a mount point and cannot be renamed", stateDirectory: stateDirectory)
        }
        try FileTree.remove(failedPath(keepFailed - 1), parentDevice: FileTree.device(parent))
        for index in stride(from: keepFailed - 2, through: 0, by: -1) where FileTree.lstatMode(failedPath(index)) != nil {
            guard rename(failedPath(index), failedPath(index + 1)) == 0 else {
                throw AtomicFile.ioError("could not rename \(failedPath(index)) to \(failedPath(index + 1))")
            }
        }
        var info = stat()
        let owner = lstat(source, &info) == 0 ? (info.st_uid, info.st_gid) : nil
        guard rename(source, failedPath(0)) == 0 else {
            let reason = String(cString: strerror(errno))
            return try wiped("could not rename it to \(failedPath(0)) (\(reason))", stateDirectory: stateDirectory)
        }
        AtomicFile.syncDirectory(parent)
        if mkdir(source, 0o700) == 0, geteuid() == 0, let owner {
            _ = chown(source, owner.0, owner.1)
        }
        return .moved(to: failedPath(0))
    }

    private func wiped(_ reason: String, stateDirectory: String) throws -> MoveAsideResult {
        try wipe(stateDirectory: stateDirectory)
        return .wiped(reason: reason)
    }
}
