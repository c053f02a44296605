import Foundation
import Testing

@testable import Hooks

#if canImport(Glibc)
    import Glibc
#endif

/// The runner as it works on kernels without pidfds (before Linux 5.3): the leader's exit is found by polling
/// `waitid(WNOWAIT)`. The cases that depend on seeing the leader exit.
@Suite struct RunnerWithoutPidfdTests {
    let runner: HookRunner = {
        var runner = HookRunner()
        runner.usesPidfd = false
        return runner
    }()
    let clock = ContinuousClock()

    @Test func exitCodeAndOutput() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let result = await runner.run(try fixture.hook("echo out; echo err >&2; exit 3"))
        #expect(result.outcome == .failed(exitCode: 3))
        #expect(result.stdoutTail == Array("out\n".utf8))
        #expect(result.stderrTail == Array("err\n".utf8))
    }

    @Test func grandchildHoldingThePipeDiesWhenTheLeaderExits() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let script = """
            sh -c "trap '' TERM; echo grandchild \\$\\$; exec sleep 1000" &
            sleep 0.2
            exit 4
            """
        let sink = CollectingSink()
        let start = clock.now
        let result = await runner.run(try fixture.hook(script, grace: .seconds(30)), sink: sink)
        #expect(result.outcome == .failed(exitCode: 4))
        #expect(clock.now - start < .seconds(3))
        let line = try #require(sink.received.first?.text)
        let grandchild = try #require(Int32(line.dropFirst("grandchild ".count)))
        #expect(await eventually { !isRunning(grandchild) })
    }

    @Test func grandchildWritingForeverAfterTheLeaderExitsIsKilled() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let start = clock.now
        let result = await runner.run(try fixture.hook("yes flood &\nsleep 0.2\nexit 0", tailBytes: 6))
        #expect(result.outcome == .succeeded)
        #expect(result.stdoutTail == Array("flood\n".utf8))
        #expect(clock.now - start < .seconds(5))
        let process = try #require(result.process)
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }

    @Test func hookThatClosesItsOutputRunsToItsEnd() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let start = clock.now
        let result = await runner.run(try fixture.hook("echo before; exec >/dev/null 2>&1; sleep 1; exit 5"))
        #expect(result.outcome == .failed(exitCode: 5))
        #expect(result.stdoutTail == Array("before\n".utf8))
        let elapsed = clock.now - start
        #expect(elapsed >= .seconds(1))
        #expect(elapsed < .seconds(2), "the leader's exit was seen \(elapsed) after the start")
    }

    @Test func hookIgnoringSigtermTimesOutAndItsGroupIsGone() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("trap '' TERM; while :; do sleep 1; done", timeout: .seconds(1), grace: .seconds(1))
        let start = clock.now
        let result = await runner.run(invocation)
        #expect(result.outcome == .timedOut)
        #expect(clock.now - start < .seconds(3))
        let process = try #require(result.process)
        #expect(await eventually { liveMembers(of: process.processGroup).isEmpty })
    }
}
