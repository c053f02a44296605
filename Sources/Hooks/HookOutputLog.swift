#if canImport(Glibc)
    import Glibc
#endif

/// The file a hook's whole output is appended to (both streams, as the bytes arrive).
///
/// Missing parent directories are created 0700 before the hook starts (a directory that cannot be made stops it); the
/// file itself, 0600 (an existing file keeps its mode), only with the hook's first byte: a hook that prints nothing
/// leaves no empty file (`sidecar jobs logs` says it printed nothing), and a chain of silent methods creates no file
/// per method. Not thread-safe (hence `@unchecked`): only ``OutputRecorder`` uses it, under its lock.
final class HookOutputLog: @unchecked Sendable {
    let path: String
    /// -1 before the first byte, and after a failure.
    private var fd: Int32 = -1
    private var opened = false
    /// Why writing stopped, if it did (disk full...). The hook keeps running; the result reports it.
    private(set) var failure: String?

    /// Makes the log's directory; throws ``HookError`` with code `.logFile` if that is impossible.
    init(path: String) throws(HookError) {
        self.path = path
        try Self.makeParents(of: path)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        if !opened {
            opened = true
            fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            if fd < 0 {
                failure = "cannot open the hook log \(path): \(Self.describe(errno)); the output is only in the stored tails"
            }
        }
        guard fd >= 0, var base = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = write(fd, base, left)
            if written < 0 {
                if errno == EINTR { continue }
                failure = "writing the hook log \(path) failed: \(Self.describe(errno)); later output is missing from it"
                close(fd)
                fd = -1
                return
            }
            left -= written
            base += written
        }
    }

    private static func makeParents(of path: String) throws(HookError) {
        // Usually only the last directory is new (one per job) or none is: one mkdir instead of one per component.
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            if mkdir(String(path[..<slash]), 0o700) == 0 || errno == EEXIST { return }
        }
        var prefix = ""
        let components = path.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        if !path.hasPrefix("/") { prefix = "." }
        for component in components {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw HookError(.logFile, "cannot create the hook log directory \(prefix): \(describe(errno)); check permissions")
            }
        }
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
