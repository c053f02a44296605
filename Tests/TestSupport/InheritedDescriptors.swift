import Foundation

/// The test process's open descriptors, kept out of the programs it starts.
///
/// Foundation's pipes are not close-on-exec, and neither `Process` nor `posix_spawn` closes what a child does not
/// need: a child (and any daemon it leaves behind) would hold the pipes of other tests' children. After the test
/// process ends, a daemon whose stderr pipe is held open by such a stray reader, but never read, blocks on its next
/// log line and cannot even exit on SIGTERM (seen: three daemons stuck behind a `sidecar reinit --wait`).
public enum InheritedDescriptors {
    /// Marks every descriptor above 2 close-on-exec. Harmless to the rest of the process: each spawn puts the pipes it
    /// means to pass on 0–2, and `dup2` clears the mark there.
    public static func markCloseOnExec() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}
