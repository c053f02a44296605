import Foundation

/// Finds the file a hook's first word names, and checks it is safe to run (SPEC §6).
///
/// - An absolute path is used as is.
/// - A path with a `/` is relative to `hooksDirectory` and must stay inside it once symlinks are resolved
///   (`../x`, or a link pointing out, is refused).
/// - A bare name is `hooksDirectory/<name>` when that exists, else the first executable `<dir>/<name>` of
///   the search path (absolute entries only).
///
/// The file must be a regular executable file, not group- or world-writable, in a directory that is not
/// world-writable. Every refusal is a ``HookResolution/rejected(reason:)`` value naming the path and the
/// fix, which the caller records as ``HookOutcome/notRun(reason:)``; nothing here throws.
public struct HookResolver: Sendable {
    /// Directory relative hook commands are found in (absolute, or relative to the current directory).
    public var hooksDirectory: String
    /// Directories searched for a bare name that is not in `hooksDirectory`, in order.
    public var searchPath: [String]

    /// - Parameters:
    ///   - hooksDirectory: `sidecar.hooks_dir`.
    ///   - path: a `PATH`-style list of directories separated by `:`; `nil` or empty: no search path.
    public init(hooksDirectory: String, path: String?) {
        self.hooksDirectory = hooksDirectory
        self.searchPath = (path ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
    }

    /// The executable `word` (the first word of a command) resolves to, or why it cannot be run.
    public func resolve(_ word: String) -> HookResolution {
        if word.isEmpty {
            return .rejected(reason: "the command is empty: name the hook to run")
        }
        if word.hasPrefix("/") {
            return check(word)
        }
        if word.utf8.contains(UInt8(ascii: "/")) {
            return resolveInsideHooksDirectory(word)
        }
        let candidate = joined(hooksDirectory, word)
        if FileSystemProbe.linkStatus(candidate) != nil {
            return check(candidate)
        }
        for directory in searchPath {
            let path = joined(directory, word)
            if let info = FileSystemProbe.fileStatus(path), info.isRegularFile, access(path, X_OK) == 0 {
                return check(path)
            }
        }
        let searched = searchPath.isEmpty ? "an empty PATH" : "PATH (\(searchPath.joined(separator: ":")))"
        return .rejected(
            reason:
                "hook '\(word)' not found in \(hooksDirectory) nor in \(searched): put an executable \(candidate) there or write its absolute path"
        )
    }

    private func resolveInsideHooksDirectory(_ word: String) -> HookResolution {
        let candidate = joined(hooksDirectory, word)
        guard let root = FileSystemProbe.realPath(hooksDirectory) else {
            return .rejected(reason: "hooks_dir \(hooksDirectory) does not exist: create it or set sidecar.hooks_dir")
        }
        guard let real = FileSystemProbe.realPath(candidate) else {
            if FileSystemProbe.linkStatus(candidate) != nil {
                return .rejected(reason: "\(candidate) is a symlink to a missing file: fix the link or the command")
            }
            return .rejected(reason: "\(candidate) does not exist: create it in \(hooksDirectory) or fix the command")
        }
        let inside = root == "/" ? real.hasPrefix("/") : real.hasPrefix(root + "/")
        guard inside else {
            return .rejected(
                reason: "\(candidate) resolves to \(real), outside hooks_dir \(root): move the hook into \(root) or write its absolute path"
            )
        }
        return check(candidate)
    }

    /// The safety checks of SPEC §6 on `path` (symlinks followed).
    func check(_ path: String) -> HookResolution {
        guard FileSystemProbe.linkStatus(path) != nil else {
            return .rejected(reason: "\(path) does not exist: create it or fix the command")
        }
        guard let info = FileSystemProbe.fileStatus(path), let real = FileSystemProbe.realPath(path) else {
            return .rejected(reason: "\(path) is a symlink to a missing file: fix the link or the command")
        }
        guard info.isRegularFile else {
            return .rejected(reason: "\(path) is not a regular file: point the command at an executable file")
        }
        guard info.permissions & 0o111 != 0, access(path, X_OK) == 0 else {
            return .rejected(reason: "\(path) is not executable: chmod 755 \(path)")
        }
        guard info.permissions & 0o022 == 0 else {
            let who = info.permissions & 0o002 != 0 ? "world" : "group"
            return .rejected(reason: "\(path) is \(who)-writable, anyone could change what runs: chmod go-w \(path)")
        }
        let directory = (real as NSString).deletingLastPathComponent
        if let parent = FileSystemProbe.fileStatus(directory), parent.permissions & 0o002 != 0 {
            return .rejected(
                reason: "\(path) is in the world-writable directory \(directory): chmod o-w \(directory) or move the hook elsewhere"
            )
        }
        return .resolved(path: path, realPath: real)
    }

    private func joined(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
