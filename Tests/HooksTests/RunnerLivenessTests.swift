import Foundation
import Testing

@testable import Hooks

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct RunnerLivenessTests {
    let runner = HookRunner()

    @Test func startTimeIdentifiesTheRunningHookAndAWrongRecordIsNeverSignalled() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let box = StartBox()
        let runner = self.runner
        let invocation = try fixture.hook("sleep 1000", grace: .seconds(1))
        let task = Task { await runner.run(invocation) { box.set($0) } }
        #expect(await eventually { box.value != nil })
        let process = try #require(box.value)
        #expect(HookProcess.startTime(of: process.pid) == process.startTime)
        #expect(process.isAlive)

        // Same pid and group, another start time: as if the pid had been reused.
        let stale = HookProcess(pid: process.pid, processGroup: process.processGroup, startTime: process.startTime &- 1)
        #expect(!stale.isAlive)
        #expect(!stale.killGroupIfAlive(signal: SIGKILL))
        #expect(isRunning(process.pid))

        #expect(process.killGroupIfAlive(signal: SIGKILL))
        let result = await task.value
        #expect(result.outcome == .signalled(SIGKILL))
        #expect(!process.isAlive)
        // The shell's sleep may take a moment to finish dying; once the group is empty there is nothing to signal.
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
        #expect(!process.killGroupIfAlive(signal: SIGKILL))
    }

    @Test func recordsNamingNoProcessAreNeverSignalled() {
        for record in [HookProcess(pid: 0, processGroup: 0, startTime: 0), HookProcess(pid: 1, processGroup: 1, startTime: 0)] {
            #expect(!record.killGroupIfAlive(signal: 0))
        }
        #expect(HookProcess.startTime(of: -5) == nil)
    }

    @Test func orphansOfADeadLeaderAreFoundByGroupAndStartTime() async throws {
        // setsid -w runs sh as the leader of a new session; sh leaves a sleep behind in its group and exits.
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        var invocation = try fixture.hook("exit 0")
        invocation.executable = "/usr/bin/setsid"
        invocation.arguments = ["-w", "/bin/sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $!"]
        let result = await runner.run(invocation)
        #expect(result.outcome == .succeeded)
        let orphan = try #require(Int32(String(decoding: result.stdoutTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(orphan, SIGKILL) }
        let stat = try #require(ProcStat.read(pid: orphan))
        #expect(stat.processGroup != orphan)
        #expect(ProcStat.read(pid: stat.processGroup).map { $0.state == UInt8(ascii: "Z") } ?? true)

        // The record says the group started after the orphan did: not ours, left alone.
        let later = HookProcess(pid: stat.processGroup, processGroup: stat.processGroup, startTime: stat.startTime + 1)
        #expect(!later.killGroupIfAlive(signal: SIGKILL))
        #expect(isRunning(orphan))

        let record = HookProcess(pid: stat.processGroup, processGroup: stat.processGroup, startTime: stat.startTime)
        #expect(!record.isAlive)
        #expect(record.killGroupIfAlive(signal: SIGKILL))
        #expect(await eventually { !isRunning(orphan) })
    }
}
