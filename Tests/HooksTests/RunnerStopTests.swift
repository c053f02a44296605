import Foundation
import Testing

@testable import Hooks

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct RunnerStopTests {
    let runner = HookRunner()
    let clock = ContinuousClock()

    @Test(arguments: [true, false]) func hookThatNeverExitsTimesOutAndItsGroupIsGone(pidfd: Bool) async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        // Ignores SIGTERM, so only the SIGKILL after the grace ends it.
        let invocation = try fixture.hook("trap '' TERM; echo started; while :; do sleep 1; done", timeout: .seconds(1), grace: .seconds(1))
        let box = StartBox()
        let start = clock.now
        let result = await leaderWatchingRunner(pidfd: pidfd).run(invocation) { box.set($0) }
        let elapsed = clock.now - start
        let process = try #require(box.value)
        #expect(result.outcome == .timedOut)
        #expect(result.stdoutTail == Array("started\n".utf8))
        #expect(elapsed >= .seconds(2))
        #expect(elapsed < .seconds(3), "returned after \(elapsed)")
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }

    @Test func hookThatStopsOnSigtermEndsWithinTheGrace() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("trap 'echo got-term; exit 0' TERM; while :; do sleep 0.1; done", timeout: .seconds(1), grace: .seconds(30))
        let start = clock.now
        let result = await runner.run(invocation)
        #expect(result.outcome == .timedOut)
        #expect(result.stdoutTail == Array("got-term\n".utf8))
        #expect(clock.now - start < .seconds(5))
    }

    @Test func stoppedHookStillGetsItsSigterm() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("trap 'echo got-term; exit 0' TERM; kill -STOP $$; sleep 100", timeout: .seconds(1), grace: .seconds(30))
        let start = clock.now
        let result = await runner.run(invocation)
        #expect(result.outcome == .timedOut)
        #expect(result.stdoutTail == Array("got-term\n".utf8))
        #expect(clock.now - start < .seconds(5))
    }

    @Test func grandchildIgnoringSigtermAndHoldingThePipeDiesOnTimeout() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let script = """
            sh -c "trap '' TERM; echo grandchild \\$\\$; exec sleep 1000" &
            wait
            """
        let invocation = try fixture.hook(script, timeout: .seconds(1), grace: .seconds(1))
        let sink = CollectingSink()
        let start = clock.now
        let result = await runner.run(invocation, sink: sink)
        #expect(result.outcome == .timedOut)
        #expect(clock.now - start < .seconds(3))
        let line = try #require(sink.received.first?.text)
        let grandchild = try #require(Int32(line.dropFirst("grandchild ".count)))
        #expect(await eventually { !isRunning(grandchild) })
    }

    @Test(arguments: [true, false]) func grandchildHoldingThePipeDiesWhenTheLeaderExits(pidfd: Bool) async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let script = """
            sh -c "trap '' TERM; echo grandchild \\$\\$; exec sleep 1000" &
            sleep 0.2
            exit 4
            """
        let invocation = try fixture.hook(script, grace: .seconds(30))
        let sink = CollectingSink()
        let start = clock.now
        let result = await leaderWatchingRunner(pidfd: pidfd).run(invocation, sink: sink)
        #expect(result.outcome == .failed(exitCode: 4))
        #expect(clock.now - start < .seconds(3))
        let line = try #require(sink.received.first?.text)
        let grandchild = try #require(Int32(line.dropFirst("grandchild ".count)))
        #expect(await eventually { !isRunning(grandchild) })
    }

    @Test(arguments: [true, false]) func grandchildWritingForeverAfterTheLeaderExitsIsKilled(pidfd: Bool) async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("yes flood &\nsleep 0.2\nexit 0", tailBytes: 6)
        let start = clock.now
        let result = await leaderWatchingRunner(pidfd: pidfd).run(invocation)
        #expect(result.outcome == .succeeded)
        #expect(result.stdoutTail == Array("flood\n".utf8))
        #expect(clock.now - start < .seconds(5))
        let process = try #require(result.process)
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }

    @Test func grandchildWritingAfterTheLeaderEndsOnTimeoutIsKilledBeforeTheGrace() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        // The leader dies of the timeout's SIGTERM; its child ignores SIGTERM and keeps the pipe busy. The leader
        // is still watched after the timeout, so the group gets its SIGKILL then, not after the 30 s grace.
        let script = """
            sh -c "trap '' TERM; while :; do echo flood; done" &
            while :; do sleep 0.1; done
            """
        let invocation = try fixture.hook(script, timeout: .seconds(1), grace: .seconds(30), tailBytes: 6)
        let start = clock.now
        let result = await runner.run(invocation)
        #expect(result.outcome == .timedOut)
        #expect(result.stdoutTail == Array("flood\n".utf8))
        #expect(clock.now - start < .seconds(5), "returned after \(clock.now - start)")
        let process = try #require(result.process)
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }

    @Test(arguments: [true, false]) func hookThatClosesItsOutputRunsToItsEnd(pidfd: Bool) async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("echo before; exec >/dev/null 2>&1; sleep 1; exit 5")
        let start = clock.now
        let result = await leaderWatchingRunner(pidfd: pidfd).run(invocation)
        #expect(result.outcome == .failed(exitCode: 5))
        #expect(result.stdoutTail == Array("before\n".utf8))
        let elapsed = clock.now - start
        #expect(elapsed >= .seconds(1))
        #expect(elapsed < .seconds(2), "the leader's exit was seen \(elapsed) after the start")
    }

    @Test func hookThatClosesItsOutputStillTimesOut() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("exec >/dev/null 2>&1; trap '' TERM; while :; do sleep 1; done", timeout: .seconds(1), grace: .seconds(1))
        let start = clock.now
        let result = await runner.run(invocation)
        #expect(result.outcome == .timedOut)
        #expect(clock.now - start < .seconds(3))
        let process = try #require(result.process)
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }

    @Test func cancellingTheCallerInterruptsTheHook() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("trap '' TERM; echo ready; while :; do sleep 1; done", grace: .seconds(1))
        let box = StartBox()
        let sink = CollectingSink()
        let runner = self.runner
        let task = Task { await runner.run(invocation, sink: sink) { box.set($0) } }
        #expect(await eventually { sink.saw("ready") })
        let start = clock.now
        task.cancel()
        let result = await task.value
        let elapsed = clock.now - start
        #expect(result.outcome == .interrupted)
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(2), "took \(elapsed)")
        let process = try #require(box.value)
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }

    @Test func interruptWaitsForTheGraceThenKills() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("trap 'echo term' TERM; echo ready; while :; do sleep 0.1; done", grace: .seconds(1))
        let control = HookControl()
        let sink = CollectingSink()
        let runner = self.runner
        let task = Task { await runner.run(invocation, sink: sink, control: control) }
        #expect(await eventually { sink.saw("ready") })
        let start = clock.now
        control.interrupt()
        let result = await task.value
        let elapsed = clock.now - start
        #expect(result.outcome == .interrupted)
        #expect(elapsed >= .seconds(1) && elapsed < .seconds(2), "took \(elapsed)")
        #expect(sink.saw("term"))
        #expect(control.isInterrupted)
    }

    @Test func killStopsTheGroupAtOnce() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("trap '' TERM; echo ready; while :; do sleep 1; done", grace: .seconds(60))
        let control = HookControl()
        let sink = CollectingSink()
        let box = StartBox()
        let runner = self.runner
        let task = Task { await runner.run(invocation, sink: sink, control: control) { box.set($0) } }
        #expect(await eventually { sink.saw("ready") })
        control.interrupt()
        let start = clock.now
        control.kill()
        let result = await task.value
        #expect(result.outcome == .interrupted)
        #expect(clock.now - start < .seconds(2))
        let process = try #require(box.value)
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }

    @Test func controlInterruptedBeforehandStopsTheNextRunAtOnce() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let control = HookControl()
        control.interrupt()
        let start = clock.now
        let result = await runner.run(try fixture.hook("sleep 1000", grace: .seconds(60)), control: control)
        #expect(result.outcome == .interrupted)
        #expect(clock.now - start < .seconds(1))
    }

    @Test func aTaskCancelledBeforeTheRunNeverStartsTheHook() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let marker = fixture.directory + "/ran"
        let invocation = try fixture.hook("touch \(marker); sleep 1000", grace: .seconds(60))
        let runner = self.runner
        let task = Task {
            // Cancelled before it gets here: the run must not spawn the hook at all.
            while !Task.isCancelled { await Task.yield() }
            return await runner.run(invocation)
        }
        task.cancel()
        let result = await task.value
        #expect(result.outcome == .interrupted)
        #expect(result.process == nil)
        try await Task.sleep(for: .milliseconds(200))
        #expect(access(marker, F_OK) != 0, "the hook ran")
    }

    @Test func killWhileTheProcessIsBeingRecordedReachesTheGroupAtOnce() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let marker = fixture.directory + "/late"
        // Writes the marker one second in: a kill that waited for the (slow) record would come too late.
        let invocation = try fixture.hook("sleep 1; touch \(marker); sleep 1000", grace: .seconds(60))
        let control = HookControl()
        let result = await runner.run(invocation, control: control) { _ in
            control.kill()
            usleep(2_000_000)
        }
        #expect(result.outcome == .interrupted)
        #expect(access(marker, F_OK) != 0, "the hook ran on while its process was being recorded")
    }

    @Test func theTimeoutCountsFromTheSpawnNotFromTheEndOfTheRecord() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("sleep 1000", timeout: .seconds(1), grace: .seconds(1))
        let start = clock.now
        let result = await runner.run(invocation) { _ in usleep(2_000_000) }
        let elapsed = clock.now - start
        #expect(result.outcome == .timedOut)
        // The record took 2 s, past the 1 s timeout: the SIGTERM goes out as soon as it is done (sleep dies of it).
        #expect(elapsed < .milliseconds(2_800), "returned after \(elapsed)")
    }
}
