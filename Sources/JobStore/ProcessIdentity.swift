import Foundation

/// Facts about processes on this host, read from `/proc`: who we are, and whether a recorded process still runs.
public enum ProcessIdentity {
    /// This host's boot id, or `""` when `/proc` does not have it.
    public static func bootID() -> String {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This host's name.
    public static func hostName() -> String {
        ProcessInfo.processInfo.hostName
    }

    /// The start time (field 22 of `/proc/<pid>/stat`, clock ticks after boot) of `pid`, or `nil` when no such
    /// process exists or it is a zombie (dead, waiting to be reaped).
    public static func startTime(of pid: Int32) -> Int64? {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return parseStartTime(stat: stat)
    }

    /// Field 22 of a `/proc/<pid>/stat` line, `nil` for a zombie (state `Z` or `X`). The command name (field 2) is
    /// in parentheses and may itself hold spaces and parentheses, so fields are counted from the last `)`.
    static func parseStartTime(stat: String) -> Int64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return Int64(fields[19])
    }

    /// The owner identity of the calling process.
    public static func currentOwner() -> JobOwner {
        let pid = getpid()
        return JobOwner(host: hostName(), bootID: bootID(), pid: pid, startTime: startTime(of: pid) ?? 0)
    }

    /// Whether `owner` still runs. On this host and boot: its pid exists with the same start time. Another boot of
    /// this host: gone. Another host: unknown to us, so `true` (its lease expiry decides).
    public static func isAlive(_ owner: JobOwner) -> Bool {
        guard owner.host == hostName() else { return true }
        guard owner.bootID == bootID() else { return false }
        return startTime(of: owner.pid) == owner.startTime
    }

    /// Whether the process `pid` that started at `startTime` (a recorded hook) still runs on this boot.
    public static func isRunning(pid: Int32, startTime: Int64) -> Bool {
        self.startTime(of: pid) == startTime
    }
}
