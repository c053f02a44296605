import Foundation
import JobStore
import TestSupport
import Testing

/// SIGTERM / SIGINT to the daemon (SPEC §6, §7): the running hook's whole group is stopped (TERM, grace, KILL), its
/// attempt closed as `interrupted`, the job queued again, and the daemon exits 0 within the grace period plus a
/// second; a second signal kills the group at once. And `sidecar jobs cancel` of a running job.
@Suite(.timeLimit(.minutes(5)))
struct SignalTests {
    /// A replica method whose first run ignores SIGTERM (the shell and its `sleep`, which inherits the ignored
    /// disposition) and sleeps; later runs fail at once, so the chain falls back to basebackup. The first run marks
    /// `deaf.deaf` once its trap is set: the attempt's process is recorded at spawn, before the shell has read its
    /// first line, and a SIGTERM sent before the trap would simply end it.
    static func deafHook(_ world: SidecarWorld) throws {
        let flag = world.directory.file("deaf.ran")
        try world.hook(
            "deaf",
            """
            if [ -e \(flag) ]; then echo "no backup this time" >&2; exit 1; fi
            : > \(flag)
            trap '' TERM
            : > \(flag).deaf
            echo restoring
            sleep 1000
            """)
    }

    /// The running `deaf` attempt, once its hook ignores SIGTERM.
    static func deafAttempt(_ world: SidecarWorld, _ node: SidecarNode) async throws -> Attempt {
        let attempt = try await node.runningAttempt("deaf")
        let deaf = world.directory.file("deaf.ran.deaf")
        try await SidecarNode.waitUntil(.seconds(30), "the deaf hook has set its trap") {
            FileManager.default.fileExists(atPath: deaf)
        }
        return attempt
    }

    static let deafChain = """
          create_replica_methods: [deaf, basebackup]
          deaf: {command: deaf}
        """

    @Test func sigtermStopsTheHookRequeuesTheJobAndExitsWithinTheGrace() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await ImagingEndToEndTests.primary(world)
        try Self.deafHook(world)
        let b = try world.node("b")
        try b.configure(postgresql: Self.deafChain, sidecar: "  hook_grace: 2s")

        let first = try b.startDaemon()
        let attempt = try await Self.deafAttempt(world, b)
        let leader = try requireValue(attempt.process)
        let sent = ContinuousClock.now
        first.kill(SIGTERM)
        let took = try await Processes.timeExit(first.pid, since: sent, timeout: .seconds(10)) ?? .seconds(10)
        let status = await first.wait(timeout: .seconds(10))
        #expect(status == 0, "\(first.stderr)")
        // The hook ignores SIGTERM, so the daemon waits the whole grace (2 s), then SIGKILLs the group; it must exit
        // within the grace plus a second.
        #expect(took >= .seconds(2) && took < .seconds(3), "exited \(took) after SIGTERM\n\(first.stderr)")
        #expect(!Processes.isAlive(leader.pid, startTime: leader.startTime))
        let job = try b.history().job(id: attempt.jobID)
        #expect(job.state == .queued)
        #expect(job.lastError == "interrupted: sidecar is stopping")
        #expect(try b.history().attempts(jobID: job.id).first?.outcome == .interrupted)

        let second = try b.startDaemon()
        try await b.waitForJob(job.id, .succeeded)
        #expect(await SidecarNode.stop(second) == 0)
        #expect(try b.history().attempts(jobID: job.id).map(\.method) == ["deaf", "deaf", "basebackup"])
        try await SidecarNode.waitUntil(.seconds(30), "b streaming from a") {
            try await a.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'b'") == "1"
        }
    }

    @Test func aSecondSignalKillsTheHookGroupAtOnce() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        _ = try await ImagingEndToEndTests.primary(world)
        try Self.deafHook(world)
        let b = try world.node("b")
        try b.configure(postgresql: Self.deafChain, sidecar: "  hook_grace: 60s")
        let daemon = try b.startDaemon()
        let attempt = try await Self.deafAttempt(world, b)
        let leader = try requireValue(attempt.process)
        daemon.kill(SIGTERM)
        // Not a wait for a condition: half a second in which nothing may happen (the hook ignores SIGTERM and the
        // grace is 60 s).
        try await Task.sleep(for: .milliseconds(500))
        #expect(Processes.isAlive(leader.pid, startTime: leader.startTime), "the hook ignores SIGTERM and waits for the grace")
        let sent = ContinuousClock.now
        daemon.kill(SIGINT)
        let took = try await Processes.timeExit(daemon.pid, since: sent, timeout: .seconds(10)) ?? .seconds(10)
        let status = await daemon.wait(timeout: .seconds(10))
        #expect(status == 0, "\(daemon.stderr)")
        #expect(took < .seconds(1), "the second signal must not wait for the 60 s grace: exited \(took) after it\n\(daemon.stderr)")
        #expect(!Processes.isAlive(leader.pid, startTime: leader.startTime))
        #expect(try b.history().job(id: attempt.jobID).state == .queued)
        #expect(try b.history().attempts(jobID: attempt.jobID).first?.outcome == .interrupted)
        #expect(daemon.stderr.contains("second stop signal: killing the running hook at once"))
    }

    @Test func cancelOfARunningJobStopsItsHookWithinOneLeaseRenewal() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        _ = try await ImagingEndToEndTests.primary(world)
        try world.hook("sleepy", "echo copying; exec sleep 1000")
        let b = try world.node("b")
        try b.configure(
            postgresql: """
                  create_replica_methods: [sleepy]
                  sleepy: {command: sleepy}
                """, sidecar: "  job_lease: 3s")
        let daemon = try b.startDaemon()
        defer { daemon.kill(SIGKILL) }
        let attempt = try await b.runningAttempt("sleepy")
        let hook = try requireValue(attempt.process)

        let cancel = try await b.sidecar(["jobs", "cancel", "\(attempt.jobID)"])
        let returned = ContinuousClock.now
        #expect(cancel.succeeded, "\(cancel.stderr)")
        #expect(cancel.stdout.contains("cancel requested"))
        // The lease (3 s) is renewed every second; the request is in the database once the command returns, so the
        // hook (which honours SIGTERM) stops within one renewal interval of that.
        let took = try await Processes.timeExit(hook.pid, since: returned, timeout: .seconds(5))
        #expect(took != nil && took! < .milliseconds(1_000 + 500), "stopped \(String(describing: took)) after the cancel")
        let job = try await b.waitForJob(attempt.jobID, .cancelled, timeout: .seconds(10))
        let closed = try #require(try b.history().attempts(jobID: job.id).first)
        #expect(closed.outcome == .interrupted)
        #expect(try b.history().detail(jobID: job.id).events.map(\.message).contains { $0.hasPrefix("cancel requested") })
        #expect(await SidecarNode.stop(daemon) == 0)
        #expect(try b.jobs().count == 1, "a cancelled job is not replaced by a new one")
    }
}
