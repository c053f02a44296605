import Foundation

/// Thin wrappers over `stat(2)`, `lstat(2)` and `realpath(3)`.
enum FileSystemProbe {
    struct Info {
        var mode: mode_t
        var isRegularFile: Bool { mode & S_IFMT == S_IFREG }
        var permissions: mode_t { mode & 0o7777 }
    }

    static func fileStatus(_ path: String) -> Info? {
        var buffer = stat()
        return stat(path, &buffer) == 0 ? Info(mode: buffer.st_mode) : nil
    }

    static func linkStatus(_ path: String) -> Info? {
        var buffer = stat()
        return lstat(path, &buffer) == 0 ? Info(mode: buffer.st_mode) : nil
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
