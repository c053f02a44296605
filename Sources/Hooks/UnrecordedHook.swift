#if canImport(Glibc)
    import Glibc
#endif

/// Crash recovery for a hook whose process was never recorded: the daemon died between the spawn and the commit
/// that writes the hook's pid (tens of microseconds, but a `SIGKILL` can land there). The attempt's row exists (it is
/// written before the spawn) and the hook carries its ids in its environment (`SIDECAR_JOB_ID`, `SIDECAR_ATTEMPT`,
/// SPEC §6), so `/proc/<pid>/environ` finds it.
///
/// Which groups are killed, among the processes whose environment names the job and the attempt:
/// - a group whose leader is alive, when the leader itself carries both ids and started within ``tolerance`` of the
///   attempt's start (the hook is spawned right after its row is written). A server the hook started with `setsid`
///   (`pg_ctl` does) leads a group of its own and started later: not killed here, as with a recorded hook, whose
///   group alone is killed;
/// - a group whose leader is gone (the hook exited, its children did not), when a member carrying both ids started
///   after the attempt did (minus ``tolerance``): Linux hands out no pid while a group of that id exists, so the
///   group is the one the spawn created.
///
/// A process of another user is not readable and is never signalled. Another job database on the same host, with a
/// job and an attempt of the same ids whose hook started within the tolerance, is not told apart.
public struct UnrecordedHook: Sendable, Equatable {
    public var jobID: Int64
    public var attemptID: Int64
    /// When the attempt's row was written, in seconds since the epoch.
    public var attemptStartedAt: Double
    /// How far from ``attemptStartedAt`` a hook's start may be: the kernel's boot time has whole seconds.
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
        let marked = ProcStat.allPids().compactMap { pid -> ProcStat? in
            guard pid != getpid(), carriesIDs(pid), let stat = ProcStat.read(pid: pid), stat.state != UInt8(ascii: "Z"),
                stat.processGroup > 1, stat.processGroup != own
            else { return nil }
            return stat
        }
        var groups: [Int32] = []
        for group in Set(marked.map(\.processGroup)).sorted() {
            if let leader = ProcStat.read(pid: group), leader.state != UInt8(ascii: "Z") {
                guard let marker = marked.first(where: { $0.pid == group }),
                    abs(clock.seconds(marker.startTime) - attemptStartedAt) <= tolerance
                else { continue }
            } else {
                guard marked.contains(where: { $0.processGroup == group && clock.seconds($0.startTime) >= attemptStartedAt - tolerance })
                else { continue }
            }
            groups.append(group)
        }
        return groups
    }

    /// Sends `signal` to each of ``groups()``; returns the groups signalled.
    @discardableResult
    public func kill(signal: Int32 = SIGKILL) -> [Int32] {
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
