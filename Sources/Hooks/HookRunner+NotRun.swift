import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension HookRunner {
    /// The reason and the fix for a hook that could not be started, worded for the operator.
    static func whyNotRun(_ invocation: HookInvocation, error: any Error, started: Bool) -> String {
        let path = invocation.executable
        if started {
            return "lost track of \(path) while it ran (\(error)); check the system's process limits"
        }
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
        return "could not start \(path): \(error); check that it is a valid executable (a script needs a #! line)"
    }
}
