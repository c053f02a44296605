import DCS
import Foundation
import JobStore
import TestSupport
import Testing

/// SPEC §3, §4 and §8 across processes: `sidecar run` daemons that share nothing but a real etcd.
@Suite(.timeLimit(.minutes(10)))
struct EtcdBootstrapRaceTests {
    static let bootstrap = """
        bootstrap:
          pg_hba:
            - host replication replicator 127.0.0.1/32 scram-sha-256
            - host all all 127.0.0.1/32 scram-sha-256
        """
    /// A small, fast PostgreSQL for each node.
    /// `wal_keep_size`: four replicas back up the new primary at once and sidecar creates no replication slots, so the
    /// checkpoint that starts one backup could recycle the WAL segment a replica that just finished needs to begin
    /// streaming ("requested WAL segment ... has already been removed"); kept WAL closes that window, as for any
    /// PostgreSQL cluster without slots (docs/postgres.md).
    static let parameters = """
            fsync: "off"
            shared_buffers: 16MB
            max_connections: 20
            max_wal_senders: 20
            wal_keep_size: 128MB
        """
    static let chain = """
          create_replica_methods: [fails, basebackup]
          fails: {command: fails}
        """

    @Test func fiveDaemonsOnAnEmptyScopeOneBootstrapsFourReplicateTenTimes() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let world = try await SidecarWorld.make(scope: "e2e")
        defer { world.tearDown() }
        try world.hook("fails", "echo 'no backup here' >&2; exit 1")
        let section = try world.etcdSection(etcd)
        var seconds: [Double] = []
        var racers: [Int] = []
        for round in 1...10 {
            let started = ContinuousClock.now
            let scope = "race\(round)"
            let nodes = try ["a", "b", "c", "d", "e"].map { try world.node("r\(round)\($0)") }
            for node in nodes {
                try await node.configure(etcd: section, scope: scope, bootstrap: Self.bootstrap, parameters: Self.parameters, postgresql: Self.chain)
            }
            let daemons = try SidecarDaemons(nodes)
            do {
                try await Self.checkRound(round, nodes: nodes, world: world, etcd: etcd, scope: scope, daemons: daemons)
                racers.append(
                    try nodes.filter {
                        try $0.eventMessages().contains { $0.hasSuffix("acquire initialize lock") || $0 == "acquired initialize lock" }
                    }.count)
            } catch {
                await daemons.stop()
                for node in nodes { await node.stopPostgres() }
                throw error
            }
            await daemons.stop()
            for node in nodes { await node.stopPostgres() }
            seconds.append((ContinuousClock.now - started).seconds)
        }
        print("five daemons, one bootstrap + four replicas per round: \(seconds.map { String(format: "%.1f", $0) }) s; nodes that raced: \(racers)")
        // Most rounds, the first node to read the scope wins the txn before the others read it: they see `initialize`
        // already at "" and wait instead of racing. `racers` says how many reached the txn (printed; see docs/dcs.md).
    }

    @Test func theWinnersBootstrapHookFailsInitializeIsReleasedAndAnotherNodeBootstraps() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let world = try await SidecarWorld.make(scope: "flaky")
        defer { world.tearDown() }
        // The first node to run the hook fails, every time it runs it; any other node bootstraps with initdb_bootstrap.
        let marker = world.directory.file("first-bootstrap")
        try world.hook(
            "flaky_bootstrap",
            """
            d=; for a in "$@"; do case $a in --datadir=*) d=${a#--datadir=};; esac; done
            if mkdir \(marker) 2>/dev/null; then echo "$d" > \(marker)/who; fi
            if [ "$(cat \(marker)/who)" = "$d" ]; then echo "restore: backup not found" >&2; exit 3; fi
            exec \(world.hooksDirectory)/initdb_bootstrap "$@"
            """)
        let section = try world.etcdSection(etcd)
        let nodes = try ["a", "b", "c"].map { try world.node($0) }
        for node in nodes {
            try await node.configure(
                etcd: section,
                bootstrap: Self.bootstrap + "\n  method: flaky\n  flaky: {command: flaky_bootstrap}",
                parameters: Self.parameters)
        }
        let daemons = try SidecarDaemons(nodes)
        defer { daemons.processes.forEach { $0.process.kill(SIGKILL) } }

        var leader: SidecarNode?
        let deadline = ContinuousClock.now + .seconds(150)
        while ContinuousClock.now < deadline, leader == nil {
            if let name = try? await world.etcdView(etcd).leader, let node = nodes.first(where: { $0.name == name }),
                (try? await node.query("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) == "2",
                nodes.allSatisfy({ (try? $0.daemonJobs().max { $0.id < $1.id }?.state) == .succeeded })
            {
                leader = node
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let winner = try #require(leader, "no leader with two streaming replicas\n\(daemons.story())")
        let failedDirectory = try String(contentsOfFile: marker + "/who", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let failer = try #require(nodes.first { $0.dataDirectory == failedDirectory })
        #expect(winner.name != failer.name)
        #expect(try await world.etcdView(etcd).initialize == (try await winner.systemIdentifier()))

        // The failed bootstrap released initialize and moved its data dir aside; the node then became a replica.
        let failerJobs = try failer.daemonJobs().sorted { $0.id < $1.id }
        let first = try #require(failerJobs.first)
        #expect(first.state == .failed)
        #expect(first.lastError?.hasPrefix("bootstrap failed at") == true, "\(failer.story())")
        let firstEvents = try failer.history().detail(jobID: first.id).events.map(\.message)
        #expect(firstEvents.contains("released the initialize key"), "\(failer.story())")
        #expect(try failer.attempts().filter { $0.method == "flaky" }.allSatisfy { $0.exitCode == 3 })
        #expect(failerJobs.last?.state == .succeeded)
        #expect(try failer.attempts().last?.method == "basebackup")
        #expect(try await failer.query("SELECT pg_is_in_recovery()") == "t")

        // Exactly one bootstrap succeeded, the winner's.
        var succeededBootstraps: [String] = []
        for node in nodes {
            for attempt in try node.attempts() where attempt.method == "flaky" && attempt.exitCode == 0 { succeededBootstraps.append(node.name) }
        }
        #expect(succeededBootstraps == [winner.name], "\(daemons.story())")

        await daemons.stop()
        for node in nodes { await node.stopPostgres() }
    }

    /// Waits until one node is the leader with four streaming replicas, then checks every node's job story.
    static func checkRound(_ round: Int, nodes: [SidecarNode], world: SidecarWorld, etcd: EtcdHarness, scope: String, daemons: SidecarDaemons)
        async throws
    {
        var leaderName: String?
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let leader = try? await world.etcdView(etcd, scope: scope).leader, let node = nodes.first(where: { $0.name == leader }),
                (try? await node.query("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) == "4",
                nodes.allSatisfy({ (try? $0.daemonJobs().first?.state) == .succeeded })
            {
                leaderName = leader
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let name = try #require(leaderName, "round \(round): no leader with four streaming replicas\n\(daemons.story())")
        let leader = try #require(nodes.first { $0.name == name })
        let view = try await world.etcdView(etcd, scope: scope)
        #expect(view.initialize == (try await leader.systemIdentifier()), "round \(round)")
        let streaming = try await leader.query("SELECT string_agg(application_name, ',' ORDER BY application_name) FROM pg_stat_replication")
        #expect(streaming == nodes.filter { $0.name != name }.map(\.name).joined(separator: ","), "round \(round)")

        var winners: [String] = []
        for node in nodes {
            let attempts = try node.attempts()
            let events = try node.eventMessages()
            if events.contains("acquired initialize lock") { winners.append(node.name) }
            let jobs = try node.daemonJobs()
            #expect(jobs.count == 1 && jobs.first?.state == .succeeded, "round \(round) \(node.name)\n\(node.story())")
            if node.name == name {
                #expect(attempts.map(\.method) == ["initdb"], "round \(round) \(node.name)")
            } else {
                // `fails`, then basebackup (retried once at most, as `sidecar.basebackup.retries` allows).
                let methods = attempts.map(\.method)
                #expect(methods.first == "fails" && methods.dropFirst().allSatisfy { $0 == "basebackup" }, "round \(round) \(node.name)")
                #expect((2...3).contains(methods.count), "round \(round) \(node.name)\n\(node.story())")
                #expect(attempts.last?.outcome == .succeeded)
                #expect(attempts.allSatisfy { $0.cloneSource == name }, "round \(round) \(node.name)")
                #expect(!attempts.contains { $0.method == "initdb" })
                #expect(try await node.query("SELECT pg_is_in_recovery()") == "t")
            }
        }
        #expect(winners == [name], "round \(round): exactly one node won initialize\n\(daemons.story())")
    }
}

extension Duration {
    /// The duration in seconds, for the printed round times.
    fileprivate var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
