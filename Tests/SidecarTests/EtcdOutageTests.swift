import DCS
import Foundation
import JobStore
import TestSupport
import Testing

/// SPEC §8, "the DCS unreachable": sidecar daemons whose etcd is stopped and restarted under them.
@Suite(.timeLimit(.minutes(5)))
struct EtcdOutageTests {
    /// Polls `condition` every 200 ms until it holds or `timeout` passes (off the cooperative pool's threads' way).
    static func waitUntil(_ timeout: Duration, _ what: String, _ story: @autoclosure () -> String = "", _ condition: () async throws -> Bool)
        async throws
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestSupportError("timed out after \(timeout) waiting for \(what)\n\(story())")
    }

    @Test func noRaceWhileEtcdIsDownAChainFinishesThroughAnOutageAndALostLeaseIsRegranted() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let world = try await SidecarWorld.make(scope: "outage")
        defer { world.tearDown() }
        let section = try world.etcdSection(etcd, ttl: 10, retryTimeout: 2)
        await etcd.stopOffPool()

        // etcd down, empty scope: the job waits, nothing races, nothing is written to the data dir.
        let a = try world.node("a")
        try await a.configure(etcd: section, bootstrap: EtcdBootstrapRaceTests.bootstrap, parameters: EtcdBootstrapRaceTests.parameters)
        let daemonA = try SidecarDaemons([a])
        defer { daemonA.processes.forEach { $0.process.kill(SIGKILL) } }
        try await Self.waitUntil(.seconds(60), "a's job to wait for the DCS", daemonA.story()) {
            try a.eventMessages().filter { $0.hasPrefix("DCS unreachable (") && $0.hasSuffix("); waiting for the next cycle") }.count >= 2
        }
        #expect(try a.attempts().isEmpty)
        #expect(try !a.eventMessages().contains("acquired initialize lock"))
        #expect(try a.daemonJobs().count == 1 && a.daemonJobs().allSatisfy { $0.state == .queued || $0.state == .running })
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: a.dataDirectory)) ?? []).isEmpty)
        let show = try await a.sidecar(["dcs", "show"])
        #expect(show.status == 69, "\(show.stderr)")
        #expect(show.stderr.contains("DCS:"))
        let plan = try await a.sidecar(["plan"])
        #expect(plan.status == 1, "a dry run still prints with the DCS down, and counts it as a failed check")
        #expect((plan.stdout + plan.stderr).contains("the DCS is unreachable: the job waits"), "\(plan.stdout)\(plan.stderr)")
        #expect((plan.stdout + plan.stderr).contains("etcd3 unreachable"), "\(plan.stdout)\(plan.stderr)")

        // etcd back: a races, bootstraps once and leads.
        try await etcd.restart()
        try await Self.waitUntil(.seconds(90), "a to bootstrap and lead", daemonA.story()) {
            try await world.etcdView(etcd).leader == "a"
        }
        let systemIdentifier = try await a.systemIdentifier()
        #expect(try await world.etcdView(etcd).initialize == systemIdentifier)
        #expect(try a.attempts().map(\.method) == ["initdb"])
        #expect(try await a.sidecar(["dcs", "show"]).succeeded)

        // A replica chain whose first hook sleeps; etcd stops while it runs.
        let started = world.directory.file("sleepy.started")
        try world.hook("sleepy", "touch \(started); sleep 4; echo 'nothing to restore' >&2; exit 1")
        let b = try world.node("b")
        try await b.configure(
            etcd: section, parameters: EtcdBootstrapRaceTests.parameters,
            postgresql: """
                  create_replica_methods: [sleepy, basebackup]
                  sleepy: {command: sleepy}
                """)
        let daemonB = try SidecarDaemons([b])
        defer { daemonB.processes.forEach { $0.process.kill(SIGKILL) } }
        let story = { daemonA.story() + "\n" + daemonB.story() }
        try await Self.waitUntil(.seconds(60), "b's sleepy hook to start", story()) { FileManager.default.fileExists(atPath: started) }
        await etcd.stopOffPool()

        // The chain does not need the DCS once it has its source: it finishes, b streams from a.
        try await Self.waitUntil(.seconds(90), "b's chain to finish with etcd down", story()) {
            try b.daemonJobs().first?.state == .succeeded
        }
        #expect(try b.attempts().map(\.method) == ["sleepy", "basebackup"])
        #expect(try b.attempts().allSatisfy { $0.cloneSource == "a" })
        try await Self.waitUntil(.seconds(30), "b streaming from a", story()) {
            try await a.query("SELECT state FROM pg_stat_replication WHERE application_name = 'b'") == "streaming"
        }
        #expect(try await b.sidecar(["dcs", "show"]).status == 69)
        // Nothing wiped or re-imaged while etcd was away.
        #expect(try await a.query("SELECT pg_is_in_recovery()") == "f")
        #expect(try await b.query("SELECT pg_is_in_recovery()") == "t")

        // etcd back: both members published, a still the only bootstrap, initialize unchanged.
        try await etcd.restart()
        try await Self.waitUntil(.seconds(60), "a and b published after the outage", story()) {
            let view = try await world.etcdView(etcd)
            return view.leader == "a" && view.members.first { $0.name == "b" }.map { $0.isRunning && $0.role == "replica" } == true
        }
        let view = try await world.etcdView(etcd)
        #expect(view.initialize == systemIdentifier)
        #expect(try a.daemonJobs().count == 1 && b.daemonJobs().count == 1)
        #expect(try a.attempts().map(\.method) == ["initdb"])
        #expect(try !b.eventMessages().contains("acquired initialize lock"))

        // The lease a held is lost (as if etcd had expired it while unreachable): a's daemon re-grants it and puts
        // its member and leader keys back.
        let leaseBefore = try await Self.leaseID(etcd, "/service/outage/members/a")
        _ = try await etcd.ctl(["lease", "revoke", String(leaseBefore, radix: 16)])
        try await Self.waitUntil(.seconds(30), "a's member and leader keys to come back", story()) {
            let view = try await world.etcdView(etcd)
            return view.leader == "a" && view.members.contains { $0.name == "a" && $0.isPrimary && $0.isRunning }
        }
        let leaseAfter = try await Self.leaseID(etcd, "/service/outage/members/a")
        #expect(leaseAfter != leaseBefore && leaseAfter != 0)
        #expect(try await Self.leaseID(etcd, "/service/outage/leader") == leaseAfter)
        // The lease has the configured ttl (10 s): the YAML's ttl reached the driver.
        #expect(try await etcd.ctl(["lease", "timetolive", String(leaseAfter, radix: 16)]).contains("granted with TTL(10s)"))
        try await Self.waitUntil(.seconds(10), "the lost-lease warning in a's log", story()) {
            daemonA.processes[0].process.stderr.contains("DCS lease of this node was lost")
        }

        await daemonA.stop()
        await daemonB.stop()
        await b.stopPostgres()
        await a.stopPostgres()
    }

    /// Node a's daemon bootstraps through a gated hook; etcd is stopped while the hook waits and then the gate opens, so
    /// the cluster is complete while etcd is down: the fixture returns once the job waits to publish `initialize`.
    struct WaitingToPublish {
        let etcd: EtcdHarness
        let world: SidecarWorld
        let a: SidecarNode
        let daemon: SidecarDaemons

        static func start(scope: String) async throws -> WaitingToPublish {
            let etcd = try await EtcdHarness.start()
            var world: SidecarWorld?
            var daemon: SidecarDaemons?
            do {
                let made = try await SidecarWorld.make(scope: scope)
                world = made
                let started = made.directory.file("bootstrap.started")
                let go = made.directory.file("bootstrap.go")
                try made.hook(
                    "gated_bootstrap",
                    """
                    touch \(started)
                    i=0; while [ ! -e \(go) ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
                    exec \(made.hooksDirectory)/initdb_bootstrap "$@"
                    """)
                let a = try made.node("a")
                try await a.configure(
                    etcd: try made.etcdSection(etcd),
                    bootstrap: EtcdBootstrapRaceTests.bootstrap + "\n  method: gated\n  gated: {command: gated_bootstrap}",
                    parameters: EtcdBootstrapRaceTests.parameters)
                let running = try SidecarDaemons([a])
                daemon = running
                try await waitUntil(.seconds(60), "the bootstrap hook to start", running.story()) { FileManager.default.fileExists(atPath: started) }
                #expect(try await made.etcdView(etcd).initialize == "")
                await etcd.stopOffPool()
                #expect(FileManager.default.createFile(atPath: go, contents: nil))
                try await waitUntil(.seconds(90), "the bootstrap to wait for the DCS", running.story()) {
                    try a.eventMessages().contains { $0.hasPrefix("DCS unreachable (") && $0.hasSuffix("); waiting to publish initialize") }
                }
                return WaitingToPublish(etcd: etcd, world: made, a: a, daemon: running)
            } catch {
                daemon?.processes.forEach { $0.process.kill(SIGKILL) }
                world?.tearDown()
                etcd.cleanup()
                throw error
            }
        }

        /// Kills what is left and removes the world and etcd.
        func cleanup() {
            daemon.processes.forEach { $0.process.kill(SIGKILL) }
            world.tearDown()
            etcd.cleanup()
        }
    }

    @Test func aBootstrapThatFinishesWhileEtcdIsDownWaitsToPublishAndKeepsItsCluster() async throws {
        let fixture = try await WaitingToPublish.start(scope: "publish")
        defer { fixture.cleanup() }
        let (etcd, world, a, daemon) = (fixture.etcd, fixture.world, fixture.a, fixture.daemon)
        #expect(try await a.query("SELECT pg_is_in_recovery()") == "f", "the new cluster keeps running while it waits")
        try await etcd.restart()
        try await Self.waitUntil(.seconds(60), "a to publish initialize and lead", daemon.story()) {
            let view = try await world.etcdView(etcd)
            let systemIdentifier = try await a.systemIdentifier()
            return view.leader == "a" && view.initialize == systemIdentifier
        }
        try await Self.waitUntil(.seconds(30), "a's job to succeed", daemon.story()) { try a.daemonJobs().first?.state == .succeeded }
        #expect(try a.daemonJobs().count == 1)
        #expect(try a.attempts().map(\.method) == ["gated"])
        #expect(!FileManager.default.fileExists(atPath: a.dataDirectory + ".failed"))
        await daemon.stop()
        await a.stopPostgres()
    }

    /// A bootstrap whose cluster is complete while etcd is down, and whose daemon then stops — by SIGTERM, or
    /// SIGKILL — before it could publish: the cluster is kept (not moved aside), and the next daemon publishes that
    /// same cluster (its system identifier as `initialize`, the leader key) without bootstrapping again.
    @Test(arguments: [SIGTERM, SIGKILL])
    func aCompleteBootstrapInterruptedWhilePublishingIsKeptAndPublishedByTheNextDaemon(signal: Int32) async throws {
        let fixture = try await WaitingToPublish.start(scope: "resume")
        defer { fixture.cleanup() }
        let (etcd, world, a, first) = (fixture.etcd, fixture.world, fixture.a, fixture.daemon)
        let systemIdentifier = try await a.systemIdentifier()

        // The daemon stops while it waits.
        let daemon = try #require(first.processes.first?.process)
        daemon.kill(signal)
        #expect(await daemon.wait(timeout: .seconds(30)) != nil, "the daemon exits\n\(first.story())")
        #expect(FileManager.default.fileExists(atPath: a.dataDirectory + "/PG_VERSION"), "the cluster is where it was")
        #expect(!FileManager.default.fileExists(atPath: a.dataDirectory + ".failed"))
        if signal == SIGTERM {
            #expect(try a.eventMessages().contains { $0.hasPrefix("bootstrap interrupted while publishing: the complete cluster") }, "\(a.story())")
        }

        // etcd back, a new daemon: crash recovery (after SIGKILL) keeps the cluster, the job's next pass publishes it.
        try await etcd.restart()
        let second = try SidecarDaemons([a])
        defer { second.processes.forEach { $0.process.kill(SIGKILL) } }
        try await Self.waitUntil(.seconds(60), "a to publish its cluster and lead", second.story()) {
            let view = try await world.etcdView(etcd)
            return view.leader == "a" && view.initialize == systemIdentifier
        }
        try await Self.waitUntil(.seconds(30), "a's job to succeed", second.story()) { try a.daemonJobs().first?.state == .succeeded }
        #expect(try await a.systemIdentifier() == systemIdentifier, "the same cluster, not a new one")
        #expect(try a.daemonJobs().count == 1)
        #expect(try a.attempts().map(\.method) == ["gated"], "bootstrapped once")
        let events = try a.eventMessages()
        #expect(events.contains { $0.hasPrefix("resuming the publication of the bootstrapped cluster (system identifier \(systemIdentifier))") })
        if signal == SIGKILL {
            #expect(events.contains { $0.hasPrefix("the interrupted bootstrap had completed its cluster (system identifier \(systemIdentifier))") })
        }
        #expect(!events.contains { $0.hasPrefix("moved") || $0.hasPrefix("released the initialize key") }, "\(a.story())")
        #expect(!FileManager.default.fileExists(atPath: a.dataDirectory + ".failed"))
        #expect(try await a.query("SELECT pg_is_in_recovery()") == "f")
        #expect(!FileManager.default.fileExists(atPath: a.stateDirectory + "/bootstrap-complete.json"), "the record goes with its job")
        await second.stop()
        await a.stopPostgres()
    }

    /// The same wait, but the operator cancels the job: the complete, unpublished cluster is stopped and kept with its
    /// record while the DCS cannot be reached (releasing `initialize` comes first); once etcd is back, crash
    /// recovery's sweep releases the `""` this node held and moves the cluster aside (SPEC §4), so `initialize` is
    /// never left held by a cluster nobody will publish, and the cancel is respected (no new job).
    @Test func aCancelWhilePublishingAbandonsTheClusterOnceInitializeCanBeReleased() async throws {
        let fixture = try await WaitingToPublish.start(scope: "abandon")
        defer { fixture.cleanup() }
        let (etcd, world, a, daemon) = (fixture.etcd, fixture.world, fixture.a, fixture.daemon)
        let job = try #require(try a.daemonJobs().first)
        let record = a.stateDirectory + "/bootstrap-complete.json"

        let cancel = try await a.sidecar(["jobs", "cancel", "\(job.id)"])
        #expect(cancel.succeeded, "\(cancel.stderr)")
        try await Self.waitUntil(.seconds(30), "the job cancelled, its cluster stopped and kept", daemon.story()) {
            try a.daemonJobs().first { $0.id == job.id }?.state == .cancelled
                && a.eventMessages().contains { $0.hasPrefix("the bootstrapped cluster stays (stopped) until initialize can be released") }
        }
        #expect(FileManager.default.fileExists(atPath: a.dataDirectory + "/PG_VERSION"))
        #expect(!FileManager.default.fileExists(atPath: a.dataDirectory + ".failed"))
        #expect(FileManager.default.fileExists(atPath: record))
        #expect(!FileManager.default.fileExists(atPath: a.dataDirectory + "/postmaster.pid"), "stopped")

        // etcd back: the "" is released, the cluster goes aside, the record with it; no new job (the cancel stands).
        try await etcd.restart()
        try await Self.waitUntil(.seconds(60), "initialize released and the cluster moved aside", daemon.story()) {
            try await world.etcdView(etcd).initialize == nil && FileManager.default.fileExists(atPath: a.dataDirectory + ".failed/PG_VERSION")
        }
        #expect(try a.eventMessages().contains("released the initialize key"))
        #expect(!FileManager.default.fileExists(atPath: record))
        #expect(try a.daemonJobs().map(\.id) == [job.id], "a cancelled job is not replaced")
        await daemon.stop()
    }

    /// The lease a key is attached to, from `etcdctl get -w json` (0 for none).
    static func leaseID(_ etcd: EtcdHarness, _ key: String) async throws -> Int64 {
        let output = try await etcd.ctl(["get", key, "-w", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let kv = try #require((object?["kvs"] as? [[String: Any]])?.first, "no key \(key): \(output)")
        return (kv["lease"] as? NSNumber)?.int64Value ?? 0
    }
}
