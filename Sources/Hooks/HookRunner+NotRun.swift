#if canImport(Glibc)
    import Glibc
#endif

extension HookRunner {
    /// The reason and the fix for a hook that could not be started (`code`: the errno of the failed spawn), worded
    /// for the operator.
    static func whyNotRun(_ invocation: HookInvocation, code: Int32) -> String {
        let path = invocation.executable
        var info = stat()
        if stat(invocation.workingDirectory, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
            return "working directory \(invocation.workingDirectory) does not exist; create it or fix hooks_dir"
        }
        guard stat(path, &info) == 0 else {
            return "\(path) does not exist (\(String(cString: strerror(errno)))); check the command"
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            return "\(path) is not a regular file; point the command at an executable file"
        }
        if access(path, X_OK) != 0 {
            return "\(path) is not executable; chmod 755 \(path)"
        }
        if code == ETXTBSY {
            return "could not start \(path): it is open for writing (\(String(cString: strerror(code)))); let the process writing it finish"
        }
        if code == EAGAIN || code == ENOMEM {
            return "could not start \(path): \(String(cString: strerror(code))); check the system's process and memory limits"
        }
        return "could not start \(path): \(String(cString: strerror(code))); check that it is a valid executable (a script needs a #! line)"
    }
}
