import CSpawn

#if canImport(Glibc)
    import Glibc
#endif

/// A hook just started by ``spawn(_:)``: its pid (= its process group) and the parent's ends of its two pipes,
/// non-blocking. Its owner reads the pipes, closes them and reaps the pid.
struct SpawnedHook {
    var pid: Int32
    var stdout: Int32
    var stderr: Int32

    /// Starts `invocation` (SPEC §6: own process group, stdin `/dev/null`, stdout and stderr into pipes, its working
    /// directory, exactly its environment, no other file descriptor, default signal actions). Throws ``HookError``
    /// with the reason it could not start and the fix.
    static func spawn(_ invocation: HookInvocation) throws(HookError) -> SpawnedHook {
        var output: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard sidecar_pipe(&output) == 0 else { throw pipeError(invocation) }
        guard sidecar_pipe(&errors) == 0 else {
            let error = pipeError(invocation)
            close(output[0])
            close(output[1])
            throw error
        }
        let argv = [invocation.executable] + invocation.arguments
        let environment = invocation.environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        var rc: Int32 = 0
        // ETXTBSY: some process holds the file open for writing. Often only for an instant: a process forking
        // elsewhere while the script was being written (its child holds a copy of the writer's descriptor until it
        // calls execve). Tried again a few times, 1 to 5 ms apart, before it counts.
        for attempt in 0..<6 {
            if attempt > 0 { usleep(useconds_t(1000 * attempt)) }
            rc = withCStringArray(argv) { argv in
                withCStringArray(environment) { environment in
                    sidecar_spawn(&pid, invocation.executable, argv, environment, invocation.workingDirectory, output[1], errors[1])
                }
            }
            if rc != ETXTBSY { break }
        }
        close(output[1])
        close(errors[1])
        guard rc == 0 else {
            close(output[0])
            close(errors[0])
            throw HookError(.spawn, HookRunner.whyNotRun(invocation, code: rc))
        }
        for fd in [output[0], errors[0]] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        return SpawnedHook(pid: pid, stdout: output[0], stderr: errors[0])
    }

    private static func pipeError(_ invocation: HookInvocation) -> HookError {
        HookError(
            .spawn,
            "could not create a pipe for \(invocation.executable): \(String(cString: strerror(errno))); check the daemon's open-file limit (ulimit -n)"
        )
    }

    /// Calls `body` with a NULL-terminated array of C copies of `strings` (a NUL inside an element ends it there).
    private static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for pointer in pointers { free(pointer) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Waits for the (already exited) hook and returns how it ended: `.exited(code)` or `.signalled(n)`.
    func reap() -> Termination {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED) != 0 {
            // EINTR: try again. ECHILD: someone else reaped it (never sidecar); report a kill.
            if errno != EINTR { return .signalled(SIGKILL) }
        }
        let status = info._sifields._sigchld.si_status
        return info.si_code == CLD_EXITED ? .exited(status) : .signalled(status)
    }

    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }
}
