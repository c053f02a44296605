#if canImport(Glibc)
    import Glibc
#endif

/// Crash recovery for a hook whose process was never recorded: the daemon died between the spawn and the commit
/// that writes the hook's pid (tens of microseconds, but a `SIGKILL` can land there). The attempt's row exists (it is
/// written before the spawn) and the hook carries its ids in its environment (`SIDECAR_JOB_ID`, `SIDECAR_ATTEMPT`,
/// SPEC §6), so `/proc/<pid>/environ` finds it.
///
/// Among the processes whose environment names the job and the attempt, a process group is killed when it is not the
/// leading group of a session (the runner starts a hook with `setpgid`, never `setsid`; a server the hook started
/// with `setsid`, as `pg_ctl` does, is left to the recovery's stop of a leftover server, as with a recorded hook, whose
/// group alone is killed) and when
/// - its leader is alive, carries both ids, and did not start before the attempt (less ``tolerance``: the kernel's
///   boot time has whole seconds);
/// - or its leader is gone (the hook exited, its children did not) and a member carrying both ids did not start
///   before the attempt: Linux hands out no pid while a group of that id exists, so the group is the one the spawn
///   created.
///
/// A process of another user cannot be read, so it is never signalled (the daemon refuses to run as root). Not told
/// apart: another job database on the same host whose job and attempt have the same ids. A wall clock set back by
/// more than the tolerance between the attempt and the recovery makes the hook look older than its attempt: it is then
/// missed, never mistaken.
public struct UnrecordedHook: Sendable, Equatable {
    public var jobID: Int64
    public var attemptID: Int64
    /// When the attempt's row was written, in seconds since the epoch.
    public var attemptStartedAt: Double
    /// How much earlier than ``attemptStartedAt`` a hook's start may appear.
    public var tolerance: Double = 2

    public init(jobID: Int64, attemptID: Int64, attemptStartedAt: Double) {
        self.jobID = jobID
        self.attemptID = attemptID
        self.attemptStartedAt = attemptStartedAt
    }

    /// The process groups of the attempt's hook that still have a live member, by the rules above.
    public func groups() -> [Int32] {
        guard let clock = BootClock.current() else { return [] }
        let own = getpgrp()
        let earliest = attemptStartedAt - tolerance
        let marked = ProcStat.allPids().compactMap { pid -> ProcStat? in
            guard pid != getpid(), carriesIDs(pid), let stat = ProcStat.read(pid: pid), stat.state != UInt8(ascii: "Z"),
                stat.processGroup > 1, stat.processGroup != own, stat.session != stat.processGroup,
                clock.seconds(stat.startTime) >= earliest
            else { return nil }
            return stat
        }
        return Set(marked.map(\.processGroup)).sorted().filter { group in
            guard let leader = ProcStat.read(pid: group), leader.state != UInt8(ascii: "Z") else { return true }
            return marked.contains { $0.pid == group }
        }
    }

    /// Sends `signal` to each of ``groups()``; returns the groups signalled.
    @discardableResult
    public func kill(signal: Int32) -> [Int32] {
        groups().filter { ProcessGroup.send(signal, to: $0) }
    }

    /// Whether `/proc/<pid>/environ` holds both `SIDECAR_JOB_ID=<job>` and `SIDECAR_ATTEMPT=<attempt>` as whole
    /// entries. Unreadable (another user's, gone): `false`.
    func carriesIDs(_ pid: Int32) -> Bool {
        guard let environment = Self.environment(of: pid) else { return false }
        let wanted = [Array("SIDECAR_JOB_ID=\(jobID)".utf8), Array("SIDECAR_ATTEMPT=\(attemptID)".utf8)]
        var found = [false, false]
        for entry in environment.split(separator: 0, omittingEmptySubsequences: true) {
            for (index, bytes) in wanted.enumerated() where entry.elementsEqual(bytes) { found[index] = true }
        }
        return found[0] && found[1]
    }

    /// The raw environment block of `pid` (at most 1 MiB), or `nil` when it cannot be read.
    static func environment(of pid: Int32) -> [UInt8]? {
        readProcFile("/proc/\(pid)/environ", limit: 1 << 20)
    }
}

/// Converts a process's start time (clock ticks since boot, `/proc/<pid>/stat` field 22) to seconds since the epoch.
struct BootClock {
    /// The boot time, seconds since the epoch (`btime` of `/proc/stat`: whole seconds).
    var bootTime: Double
    var ticksPerSecond: Double

    static func current() -> BootClock? {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        guard ticks > 0, let bytes = readProcFile("/proc/stat", limit: 1 << 20) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("btime ") {
            guard let seconds = Double(line.dropFirst(6).trimmingPrefix(" ")) else { return nil }
            return BootClock(bootTime: seconds, ticksPerSecond: Double(ticks))
        }
        return nil
    }

    func seconds(_ ticks: UInt64) -> Double {
        bootTime + Double(ticks) / ticksPerSecond
    }
}

/// The bytes of a `/proc` file (their size is not known in advance), at most `limit`; `nil` when it cannot be read.
private func readProcFile(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    while bytes.count < limit {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 { return nil }
        if count == 0 { break }
        bytes += buffer[..<count]
    }
    return bytes
}
