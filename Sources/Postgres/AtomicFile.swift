import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Atomic writes of small files: a temporary file in the same directory, fsync, rename, fsync of the directory.
enum AtomicFile {
    /// Writes `text` to `requestedPath` (or the file a symlink there points to) with `mode` (0600 by default).
    ///
    /// When running as root the new file gets the owner of its directory, so that files sidecar writes into a data dir
    /// owned by `postgres` stay readable by the server. Throws ``PostgresError`` with code `io`.
    static func write(_ text: String, to requestedPath: String, mode: mode_t = 0o600) throws {
        // A symlinked file (a `postgresql.conf` kept elsewhere) is edited where it lives; the link stays a link.
        let path = FileTree.isSymlink(requestedPath) ? PathName.resolved(requestedPath) : requestedPath
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let temporary = "\(path).sidecar-tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw ioError("could not create \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            _ = fchmod(fd, mode)
            if geteuid() == 0 {
                var directoryStat = stat()
                if stat(directory, &directoryStat) == 0 {
                    _ = fchown(fd, directoryStat.st_uid, directoryStat.st_gid)
                }
            }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ioError("could not write \(temporary)")
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw ioError("could not fsync \(temporary)") }
            closed = true
            guard close(fd) == 0 else { throw ioError("could not close \(temporary)") }
            guard rename(temporary, path) == 0 else { throw ioError("could not rename \(temporary) to \(path)") }
        } catch {
            unlink(temporary)
            throw error
        }
        syncDirectory(directory)
    }

    /// Reads a whole file as UTF-8 text (invalid bytes repaired); `nil` when it does not exist.
    static func read(_ path: String) throws -> String? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if access(path, F_OK) != 0 && errno == ENOENT { return nil }
            throw ioError("could not read \(path)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Removes a file if it exists. Throws ``PostgresError`` with code `io` when it exists and cannot be removed.
    static func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT {
            throw ioError("could not remove \(path)")
        }
    }

    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    /// A ``PostgresError`` with code `io`, the message, the `errno` text and what to check next.
    static func ioError(_ what: String, errno code: Int32 = errno) -> PostgresError {
        PostgresError(
            .io,
            "\(what): \(String(cString: strerror(code))); check the path exists and that sidecar's user may write it",
            cause: POSIXErrorCode(rawValue: code).map { POSIXError($0) }
        )
    }
}

private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
    #else
        Darwin.write(fd, buffer, count)
    #endif
}
