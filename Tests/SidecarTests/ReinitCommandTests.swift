import Foundation
import JobStore
import TestSupport
import Testing

/// `sidecar reinit [--from-leader] [--force] [--wait]` (SPEC §3) against a running daemon and real PostgreSQL.
@Suite(.timeLimit(.minutes(5)))
struct ReinitCommandTests {
    @Test func reinitOfARunningReplicaOrAForeignDataDirReimagesItAndFromLeaderUsesBasebackupOnly() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await ImagingEndToEndTests.primary(world)
        try world.hook("no_backup", "echo 'no backup here' >&2; exit 1")
        let b = try world.node("b")
        try b.configure(
            postgresql: """
                  create_replica_methods: [no_backup, basebackup]
                  no_backup: {command: no_backup}
                """)
        // a's daemon keeps its leader key (a slow machine may take longer than its TTL between the steps).
        let primary = try a.startDaemon()
        defer { primary.kill(SIGKILL) }
        #expect(try await b.runOnce().succeeded)
        #expect(try await b.query("SELECT pg_is_in_recovery()") == "t")
        let daemon = try b.startDaemon()
        defer { daemon.kill(SIGKILL) }
        let marker = b.dataDirectory + "/left-by-the-old-copy"
        try "x".write(toFile: marker, atomically: true, encoding: .utf8)

        let reinit = try await b.sidecar(["reinit", "--wait"], timeout: .seconds(120))
        #expect(reinit.succeeded, "\(reinit.stdout)\n\(reinit.stderr)\n\(b.story())")
        #expect(reinit.stdout.contains("queued replica job"))
        #expect(reinit.stdout.contains("stopped the local instance for reinit"))
        #expect(reinit.stdout.hasSuffix("succeeded\n"))
        #expect(!FileManager.default.fileExists(atPath: marker), "the data dir was re-imaged")
        #expect(try await b.query("SELECT pg_is_in_recovery()") == "t")
        let job = try #require(try b.jobs().first)
        #expect(job.kind == .replica && job.source == .cli && job.state == .succeeded)
        #expect(try b.history().attempts(jobID: job.id).map(\.method) == ["no_backup", "basebackup"])

        let fromLeader = try await b.sidecar(["reinit", "--from-leader", "--wait"], timeout: .seconds(120))
        #expect(fromLeader.succeeded, "\(fromLeader.stdout)\n\(fromLeader.stderr)")
        let second = try #require(try b.jobs().first)
        #expect(second.id != job.id && second.options.fromLeader)
        let detail = try b.history().detail(jobID: second.id)
        #expect(detail.attempts.map(\.method) == ["basebackup"])
        #expect(detail.attempts.map(\.cloneSource) == ["a"])
        #expect(detail.events.map(\.message).contains("trying to bootstrap from leader 'a'"))
        try await SidecarNode.waitUntil(.seconds(30), "b streaming from a again") {
            try await a.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'b'") == "1"
        }
        #expect(await SidecarNode.stop(daemon) == 0)

        // A foreign data dir is left alone by the cycle (SPEC §2) until the operator runs reinit, as its message says.
        let c = try world.node("c")
        try c.configure()
        try FileManager.default.createDirectory(atPath: c.dataDirectory, withIntermediateDirectories: true)
        try "old".write(toFile: c.dataDirectory + "/not-a-cluster.txt", atomically: true, encoding: .utf8)
        try SidecarWorld.chownTree(c.root)
        let cDaemon = try c.startDaemon()
        defer { cDaemon.kill(SIGKILL) }
        let foreign = try await c.sidecar(["reinit", "--wait"], timeout: .seconds(120))
        #expect(foreign.succeeded, "\(foreign.stdout)\n\(foreign.stderr)\n\(c.story())")
        #expect(!FileManager.default.fileExists(atPath: c.dataDirectory + "/not-a-cluster.txt"))
        #expect(try await c.query("SELECT pg_is_in_recovery()") == "t")
        #expect(try c.jobs().count == 1, "the cycle queued nothing for the foreign dir; only reinit's job ran")
        #expect(await SidecarNode.stop(cDaemon) == 0)
        #expect(await SidecarNode.stop(primary) == 0)
    }

    @Test func reinitIsRefusedOnTheLeaderAndWithoutACloneSource() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await ImagingEndToEndTests.primary(world)
        let primary = try a.startDaemon()
        defer { primary.kill(SIGKILL) }
        try await SidecarNode.waitUntil(.seconds(30), "a's leader key") { try await world.dcsView().leader == "a" }
        let onLeader = try await a.sidecar(["reinit"])
        #expect(onLeader.status == 1)
        #expect(onLeader.stderr.contains("refusing to reinit: this node 'a' holds the leader key"), "\(onLeader.stderr)")
        #expect(try a.jobs().count == 1, "nothing was queued")
        #expect(try await a.query("SELECT pg_is_in_recovery()") == "f")

        let lonely = try SidecarWorld(scope: "lonely")
        defer { lonely.tearDown() }
        let c = try lonely.node("c")
        try c.configure()
        let refused = try await c.sidecar(["reinit"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("refusing to reinit: no clone source: waiting for leader to bootstrap"), "\(refused.stderr)")
        let forced = try await c.sidecar(["reinit", "--force"])
        #expect(forced.succeeded, "\(forced.stderr)")
        #expect(try c.jobs().first?.options.force == true)
        let again = try await c.sidecar(["reinit", "--force"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("is already unfinished for this data dir"))
    }
}
