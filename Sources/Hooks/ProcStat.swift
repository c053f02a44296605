#if canImport(Glibc)
    import Glibc
#endif

/// The few fields of `/proc/<pid>/stat` the runner needs to tell a live hook from a reused pid.
struct ProcStat: Sendable, Equatable {
    var pid: Int32
    /// Field 3: `R`, `S`, `Z` (zombie, not yet reaped)...
    var state: UInt8
    /// Field 5: the process group.
    var processGroup: Int32
    /// Field 22: start time in clock ticks since boot.
    var startTime: UInt64

    /// Reads `/proc/<pid>/stat`; `nil` when the process does not exist (or /proc cannot be read).
    static func read(pid: Int32) -> ProcStat? {
        guard pid > 0 else { return nil }
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return parse(pid: pid, line: buffer[..<count])
    }

    /// Parses the text of a stat file. The command name (field 2) may contain spaces and `)`, so the fields
    /// are counted from the last `)`.
    static func parse(pid: Int32, line: ArraySlice<UInt8>) -> ProcStat? {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = line[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        guard fields.count >= 20, let state = fields[0].first,
            let group = Int32(String(decoding: fields[2], as: UTF8.self)),
            let start = UInt64(String(decoding: fields[19], as: UTF8.self))
        else { return nil }
        return ProcStat(pid: pid, state: state, processGroup: group, startTime: start)
    }

    /// Every pid currently listed in `/proc`.
    static func allPids() -> [Int32] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var pids: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }
}
