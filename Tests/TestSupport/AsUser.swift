import Foundation

/// Runs a command synchronously, optionally as another user through `runuser -u <user> --`, with a deadline.
///
/// Synchronous on purpose (``PostgresCluster/remove()`` runs in `defer`), and built on `posix_spawn` + `waitpid`
/// polling rather than `Process`, whose reaping depends on a dispatch source that a blocked test thread can starve.
public enum AsUser {
    /// What the command did.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var succeeded: Bool { status == 0 }
    }

    /// Runs `arguments` (argv[0] an absolute path) as `user` (`nil`: as the current user). Output goes to files, so a
    /// daemon the command leaves behind cannot hold a pipe open; stdin is `/dev/null`. `environment` `nil` inherits.
    ///
    /// Throws when the command cannot be started or does not finish within `timeout` (then it is killed).
    public static func run(
        _ arguments: [String],
        user: String? = "postgres",
        environment: [String: String]? = nil,
        timeout: Duration = .seconds(60)
    ) throws -> Result {
        let outputs = try ScratchDirectory("asuser")
        defer { outputs.remove() }
        let fullArgv = (user.map { ["/usr/sbin/runuser", "-u", $0, "--"] } ?? []) + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputs.file("out"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, outputs.file("err"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else of the test process goes to the child: Foundation's pipes are not close-on-exec, and a child
        // (or a daemon it leaves behind) holding the pipes of other tests' children keeps them open after the test
        // process ends — a daemon whose stderr pipe is held but never read blocks on its next log line and cannot
        // even exit on SIGTERM (seen behind a `sidecar reinit --wait`). A close action per descriptor touches only the
        // child (marking the parent's descriptors close-on-exec would break Foundation's `Process`, whose child must
        // inherit a socket that tells the parent it ended); one closed meanwhile is ignored by glibc.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawned = withCStrings(fullArgv) { argvPointers in
            withCStrings(env) { envPointers in
                posix_spawn(&pid, fullArgv[0], &actions, nil, argvPointers, envPointers)
            }
        }
        guard spawned == 0 else {
            throw TestSupportError("could not start \(fullArgv[0]): \(String(cString: strerror(spawned)))")
        }
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw TestSupportError("waitpid failed: \(String(cString: strerror(errno)))") }
            if ContinuousClock.now >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw TestSupportError("\(arguments.joined(separator: " ")) did not finish within \(timeout)")
            }
            usleep(10_000)
        }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let stdout = (try? String(contentsOfFile: outputs.file("out"), encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: outputs.file("err"), encoding: .utf8)) ?? ""
        return Result(status: exitStatus, stdout: stdout, stderr: stderr)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
