#if canImport(Glibc)
    import Glibc
#endif

/// Crash recovery: telling whether a recorded hook still runs, and stopping its group without ever signalling a
/// process that merely reuses one of its ids.
extension HookProcess {
    /// The start time (clock ticks since boot, `/proc/<pid>/stat` field 22) of `pid`, or `nil` if it does not exist.
    public static func startTime(of pid: Int32) -> UInt64? {
        ProcStat.read(pid: pid)?.startTime
    }

    /// Whether the recorded leader still runs: its pid exists, is not a zombie, and has the recorded start time.
    public var isAlive: Bool {
        guard let stat = ProcStat.read(pid: pid) else { return false }
        return stat.startTime == startTime && stat.state != UInt8(ascii: "Z")
    }

    /// Sends `signal` to what is left of the recorded group; returns whether any process was signalled.
    ///
    /// - If the leader still runs with the recorded start time, the whole group is signalled (`kill(-pgid)`).
    /// - If a process with the leader's pid runs with another start time, the pid was reused and a new group may
    ///   own the id: nothing is signalled.
    /// - If the leader is gone, `/proc` is scanned for processes whose group is the recorded one and whose start
    ///   time is not earlier than the recorded start time (the leader's orphans), and each is signalled.
    ///   Linux does not hand out a pid while a group of that id exists, so such processes are the hook's, unless
    ///   the whole group died and a later group with the same id lost its own leader in between (not guarded).
    @discardableResult
    public func killGroupIfAlive(signal: Int32 = SIGKILL) -> Bool {
        // Never group 0 or 1 (kernel threads, init) nor a record that names no process.
        guard pid > 1, processGroup > 1 else { return false }
        if let leader = ProcStat.read(pid: pid), leader.state != UInt8(ascii: "Z") {
            guard leader.startTime == startTime, leader.processGroup == processGroup else { return false }
            return ProcessGroup.send(signal, to: processGroup)
        }
        var signalled = false
        for member in ProcessGroup.members(of: processGroup, startedAtOrAfter: startTime) where kill(member.pid, signal) == 0 {
            signalled = true
        }
        return signalled
    }
}
