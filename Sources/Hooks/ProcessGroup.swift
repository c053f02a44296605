#if canImport(Glibc)
    import Glibc
#endif

/// Signals sent to a hook's process group, and what is known about its members.
enum ProcessGroup {
    /// Sends `signal` to every process of group `pgid`; `false` if none could be signalled (e.g. all gone).
    @discardableResult
    static func send(_ signal: Int32, to pgid: Int32) -> Bool {
        guard pgid > 1 else { return false }
        return kill(-pgid, signal) == 0
    }

    /// Live members (zombies excluded) of group `pgid` that started at or after `startTime`.
    static func members(of pgid: Int32, startedAtOrAfter startTime: UInt64) -> [ProcStat] {
        ProcStat.allPids().compactMap { pid in
            guard let stat = ProcStat.read(pid: pid), stat.processGroup == pgid, stat.startTime >= startTime,
                stat.state != UInt8(ascii: "Z")
            else { return nil }
            return stat
        }
    }

    /// Whether our own child `pid` has exited, without reaping it (swift-subprocess reaps it later).
    static func childHasExited(_ pid: Int32) -> Bool {
        var info = siginfo_t()
        let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        // With WNOHANG, si_pid stays 0 while the child runs. ECHILD: no such child (any more), so not running.
        if rc != 0 { return errno == ECHILD }
        return info._sifields._sigchld.si_pid == pid
    }
}
