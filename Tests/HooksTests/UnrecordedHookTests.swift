import Foundation
import Testing

@testable import Hooks

#if canImport(Glibc)
    import Glibc
#endif

/// Finding a hook whose pid was never recorded, by the job and attempt ids in its environment, with real `/bin/sh`
/// hooks started by the runner's own spawn (own process group).
@Suite struct UnrecordedHookTests {
    /// Ids no other test uses (the runner fixture's hooks carry `SIDECAR_JOB_ID=17`).
    let jobID = Int64.random(in: 1_000_000..<9_000_000)

    /// Starts `body` as a hook whose environment names `jobID` and `attempt` (plus `extra` variables); returns it.
    func start(_ fixture: RunnerFixture, _ body: String, attempt: Int64, name: String, extra: [String: String] = [:]) throws -> SpawnedHook {
        var invocation = try fixture.hook(body, name: name)
        invocation.environment = ["PATH": "/usr/bin:/bin", "SIDECAR_JOB_ID": "\(jobID)", "SIDECAR_ATTEMPT": "\(attempt)"].merging(extra) { $1 }
        return try SpawnedHook.spawn(invocation)
    }

    /// Waits (up to 5 s) until the file `path` holds a pid, and returns it.
    func pid(in path: String) async throws -> Int32 {
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HookError(.spawn, "no pid in \(path)")
    }

    func closePipes(_ hook: SpawnedHook) {
        close(hook.stdout)
        close(hook.stderr)
    }

    func isAlive(_ pid: Int32) -> Bool {
        guard let stat = ProcStat.read(pid: pid) else { return false }
        return stat.state != UInt8(ascii: "Z")
    }

    func waitGone(_ pid: Int32) async throws -> Bool {
        for _ in 0..<500 where isAlive(pid) { try await Task.sleep(for: .milliseconds(10)) }
        return !isAlive(pid)
    }

    @Test func theHookAndAChildThatIgnoresSIGTERMAreFoundAndKilled() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let startedAt = Date().timeIntervalSince1970
        let hook = try start(
            fixture, "sh -c 'trap \"\" TERM; echo $$ > \(fixture.directory)/child; exec sleep 300' & exec sleep 300", attempt: 5, name: "h")
        defer { closePipes(hook) }
        let child = try await pid(in: fixture.directory + "/child")
        // Another attempt of the same job, and an attempt whose job id only starts with the same digits: not these.
        let other = try start(fixture, "exec sleep 300", attempt: 6, name: "o")
        defer { closePipes(other) }
        let lookalike = try start(fixture, "exec sleep 300", attempt: 5, name: "l", extra: ["SIDECAR_JOB_ID": "\(jobID)0"])
        defer { closePipes(lookalike) }

        let finder = UnrecordedHook(jobID: jobID, attemptID: 5, attemptStartedAt: startedAt)
        #expect(finder.groups() == [hook.pid])
        #expect(finder.kill(signal: SIGKILL) == [hook.pid])
        #expect(hook.reap() == .signalled(SIGKILL))
        #expect(try await waitGone(child), "the child that ignores SIGTERM dies with the group")
        #expect(finder.groups().isEmpty)
        #expect(isAlive(other.pid) && isAlive(lookalike.pid))
        for spare in [other, lookalike] {
            ProcessGroup.send(SIGKILL, to: spare.pid)
            _ = spare.reap()
        }
    }

    /// A process older than the attempt is not its hook, whatever its environment says.
    @Test func aLeaderThatStartedBeforeTheAttemptIsLeftAlone() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let hook = try start(fixture, "exec sleep 300", attempt: 7, name: "h")
        defer {
            ProcessGroup.send(SIGKILL, to: hook.pid)
            _ = hook.reap()
            closePipes(hook)
        }
        let finder = UnrecordedHook(jobID: jobID, attemptID: 7, attemptStartedAt: Date().timeIntervalSince1970 + 60)
        #expect(finder.groups().isEmpty)
        #expect(finder.kill(signal: SIGKILL).isEmpty)
        #expect(isAlive(hook.pid))
    }

    /// A server the hook started with `setsid` (as `pg_ctl` starts a postmaster) carries the hook's environment but
    /// leads a session of its own: only the hook's group is killed, as for a recorded hook.
    @Test func aProcessTheHookStartedWithSetsidIsLeftAlone() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let startedAt = Date().timeIntervalSince1970
        let hook = try start(
            fixture, "setsid sh -c 'echo $$ > \(fixture.directory)/server; exec sleep 300' > /dev/null 2>&1 & exec sleep 300", attempt: 8,
            name: "h")
        defer { closePipes(hook) }
        let server = try await pid(in: fixture.directory + "/server")
        defer { Glibc.kill(server, SIGKILL) }
        #expect(ProcStat.read(pid: server).map { $0.session == server && $0.processGroup == server } == true)

        let finder = UnrecordedHook(jobID: jobID, attemptID: 8, attemptStartedAt: startedAt)
        #expect(finder.groups() == [hook.pid])
        #expect(finder.kill(signal: SIGKILL) == [hook.pid])
        #expect(hook.reap() == .signalled(SIGKILL))
        #expect(isAlive(server))
    }

    /// The hook has exited and its child runs on in the hook's group: the group is found through the child.
    @Test func theChildrenOfAHookThatExitedAreFoundThroughTheirGroup() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let startedAt = Date().timeIntervalSince1970
        let hook = try start(fixture, "sleep 300 > /dev/null 2>&1 & echo $! > \(fixture.directory)/child; exit 0", attempt: 9, name: "h")
        defer { closePipes(hook) }
        let child = try await pid(in: fixture.directory + "/child")
        #expect(hook.reap() == .exited(0))
        #expect(ProcStat.read(pid: child)?.processGroup == hook.pid)

        let finder = UnrecordedHook(jobID: jobID, attemptID: 9, attemptStartedAt: startedAt)
        #expect(finder.groups() == [hook.pid])
        #expect(finder.kill(signal: SIGKILL) == [hook.pid])
        #expect(try await waitGone(child))
    }
}
