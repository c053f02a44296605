import Foundation

extension DataDirectory {
    /// Throws ``PostgresError`` with code `refused` unless the data dir may be wiped or moved aside: not `/`, not an empty
    /// path, not the state dir nor a path containing it or inside it, and no live postmaster owns it.
    public func checkSafeToClear(stateDirectory: String) throws {
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PostgresError(.refused, "the data dir path is empty; set postgresql.data_dir")
        }
        let candidates = Set([PathName.lexical(path), PathName.resolved(path)])
        if candidates.contains("/") {
            throw PostgresError(.refused, "refusing to clear the data dir '\(path)': it is the root directory; set postgresql.data_dir")
        }
        if !stateDirectory.isEmpty {
            let state = Set([PathName.lexical(stateDirectory), PathName.resolved(stateDirectory)])
            for data in candidates {
                for stateDir in state where PathName.isWithin(data, stateDir) || PathName.isWithin(stateDir, data) {
                    throw PostgresError(
                        .refused,
                        "refusing to clear the data dir '\(path)': it overlaps the state dir '\(stateDirectory)'; "
                            + "give postgresql.data_dir and sidecar.state_dir separate paths"
                    )
                }
            }
        }
        if let pid = livePostmasterPID() {
            throw PostgresError(
                .refused,
                "refusing to clear the data dir '\(path)': a postmaster (pid \(pid)) is running in it; stop it first (pg_ctl stop -m fast)"
            )
        }
    }

    /// The pid in the first line of `postmaster.pid` if that process is running and is a PostgreSQL server; otherwise `nil`.
    ///
    /// A pid that belongs to another program (a stale file after a crash, the pid reused) does not count as live.
    public func livePostmasterPID() -> Int32? {
        guard let text = try? AtomicFile.read(file("postmaster.pid")),
            let firstLine = text.split(separator: "\n", omittingEmptySubsequences: false).first,
            let pid = Int32(firstLine.trimmingCharacters(in: .whitespaces)), pid > 0
        else { return nil }
        guard kill(pid, 0) == 0 || errno == EPERM else { return nil }
        if let comm = try? AtomicFile.read("/proc/\(pid)/comm") {
            let name = comm.trimmingCharacters(in: .whitespacesAndNewlines)
            guard name == "postgres" || name == "postmaster" else { return nil }
        }
        return pid
    }
}

/// Path comparisons for the refusals: lexical normalisation and symlink resolution.
enum PathName {
    /// Absolute, without `.`, `..`, repeated or trailing slashes; symlinks are not resolved.
    static func lexical(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The path with every symlink resolved when it exists; the lexical form otherwise.
    static func resolved(_ path: String) -> String {
        guard let real = realpath(lexical(path), nil) else { return lexical(path) }
        defer { free(real) }
        return String(cString: real)
    }

    /// Whether `inner` is `outer` or below it (both normalised).
    static func isWithin(_ inner: String, _ outer: String) -> Bool {
        inner == outer || outer == "/" || inner.hasPrefix(outer + "/")
    }
}
