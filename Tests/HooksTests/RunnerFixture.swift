import Foundation
import Synchronization
import Testing

@testable import Hooks

#if canImport(Glibc)
    import Glibc
#endif

/// A temp directory holding `/bin/sh` fixture hooks; removed by ``remove()``.
struct RunnerFixture {
    let directory: String

    init() throws {
        var template = Array("/tmp/sidecar-runner-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        directory = String(cString: try #require(made))
    }

    /// Writes an executable `#!/bin/sh` script and returns an invocation of it with a small, known environment.
    func hook(
        _ body: String,
        name: String = "hook",
        timeout: Duration? = nil,
        grace: Duration = .seconds(1),
        tailBytes: Int = 64 * 1024
    ) throws -> HookInvocation {
        let path = directory + "/" + name
        try Data(("#!/bin/sh\n" + body + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o755) == 0)
        return HookInvocation(
            executable: path,
            environment: ["PATH": "/usr/bin:/bin", "SIDECAR_JOB_ID": "17"],
            workingDirectory: directory,
            timeout: timeout,
            grace: grace,
            tailBytes: tailBytes
        )
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A sink that keeps every line it receives (for small outputs only).
final class CollectingSink: HookOutputSink {
    private let lines = Mutex<[HookOutputLine]>([])
    func receive(_ line: HookOutputLine) { lines.withLock { $0.append(line) } }
    var received: [HookOutputLine] { lines.withLock { $0 } }
    /// Whether a line with exactly `text` arrived (e.g. a hook saying its traps are installed).
    func saw(_ text: String) -> Bool { lines.withLock { $0.contains { $0.text == text } } }
}

/// Keeps the first process handed to `onStart`, for tests that act on the running hook.
final class StartBox: Sendable {
    private let process = Mutex<HookProcess?>(nil)
    func set(_ value: HookProcess) { process.withLock { $0 = value } }
    var value: HookProcess? { process.withLock { $0 } }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(within timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Whether `pid` still exists as a live (non-zombie) process.
func isRunning(_ pid: Int32) -> Bool {
    guard let stat = ProcStat.read(pid: pid) else { return false }
    return stat.state != UInt8(ascii: "Z")
}

/// Live processes in group `pgid`.
func liveMembers(of pgid: Int32) -> [Int32] {
    ProcessGroup.members(of: pgid, startedAtOrAfter: 0).map(\.pid)
}

/// This process's resident set size in bytes (`VmRSS` in /proc/self/status).
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kib = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return kib * 1024
    }
    return 0
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// A runner that watches the leader through a pidfd (`true`, Linux 5.3+) or through the fallback older kernels get,
/// polling `waitid(WNOWAIT)` (`false`): the cases that depend on seeing the leader exit run both ways.
func leaderWatchingRunner(pidfd: Bool) -> HookRunner {
    var runner = HookRunner()
    runner.usesPidfd = pidfd
    return runner
}
