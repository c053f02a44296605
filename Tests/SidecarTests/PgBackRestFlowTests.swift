import DCS
import Foundation
import JobStore
import TestSupport
import Testing

/// A real pgBackRest flow with `hooks.d/pgbackrest_restore` (pgBackRest 2.45 from apt): a repository and stanza made
/// on a primary that archives through `archive-push`, a full backup, then a new cluster bootstrapped from it with
/// `recovery_conf`, and replicas built with `[pgbackrest_restore (no_leader, keep_data), basebackup]`, once with the
/// primary up (the restore runs, then the replica streams) and once with it stopped (only the no_leader method runs).
@Suite(.timeLimit(.minutes(5)))
struct PgBackRestFlowTests {
    /// The repository's configuration, in the world's directory (owned by postgres).
    static func repository(_ world: SidecarWorld, primary: SidecarNode) throws -> String {
        let base = try world.directory.makeDirectory("pgbackrest", owner: "postgres")
        let config = base + "/pgbackrest.conf"
        try """
        [global]
        repo1-path=\(base)/repo
        log-path=\(base)/log
        lock-path=\(base)/lock
        spool-path=\(base)/spool
        log-level-console=warn
        log-level-file=info
        start-fast=y
        compress-type=none
        repo1-retention-full=2

        [demo]
        pg1-path=\(primary.dataDirectory)
        pg1-socket-path=\(primary.socketDirectory)
        pg1-port=\(primary.port)

        """.write(toFile: config, atomically: true, encoding: .utf8)
        try SidecarWorld.chownTree(base)
        return config
    }

    static func pgbackrest(_ arguments: [String]) async throws -> AsUser.Result {
        try await EtcdHarness.offPool { try AsUser.run(["/usr/bin/pgbackrest"] + arguments, timeout: .seconds(120)) }
    }

    @Test func bootstrapAndReplicasFromARealBackup() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try world.node("a")
        let config = try Self.repository(world, primary: a)
        try a.configure(
            bootstrap: ImagingEndToEndTests.pgHBA,
            parameters: """
                    archive_mode: "on"
                    archive_command: 'pgbackrest --config=\(config) --stanza=demo archive-push %p'
                """, top: "ttl: 3")
        let run = try await a.runOnce()
        try #require(run.succeeded, "\(run.stderr)")
        let create = try await Self.pgbackrest(["--config=\(config)", "--stanza=demo", "stanza-create"])
        try #require(create.succeeded, "\(create.stdout)\(create.stderr)")
        _ = try await a.query("CREATE TABLE t (v text); INSERT INTO t VALUES ('in the backup')")
        let backup = try await Self.pgbackrest(["--config=\(config)", "--stanza=demo", "--type=full", "backup"])
        try #require(backup.succeeded, "\(backup.stdout)\(backup.stderr)")
        _ = try await a.query("INSERT INTO t VALUES ('archived after it')")
        _ = try await a.query("SELECT pg_switch_wal()")
        let check = try await Self.pgbackrest(["--config=\(config)", "--stanza=demo", "check"])
        try #require(check.succeeded, "\(check.stdout)\(check.stderr)")

        // A new cluster bootstrapped from the backup, recovering through the archive with recovery_conf.
        let c = try world.node("c")
        try c.configure(
            scope: "restored",
            bootstrap: """
                bootstrap:
                  method: pgbackrest
                  pgbackrest:
                    command: pgbackrest_restore
                    stanza: demo
                    config: \(config)
                    recovery_conf:
                      restore_command: 'pgbackrest --config=\(config) --stanza=demo archive-get %f "%p"'
                      recovery_target_action: promote
                      recovery_target_timeline: current
                """, parameters: "    archive_mode: \"off\"")
        let restored = try await c.runOnce()
        #expect(restored.succeeded, "\(restored.stderr)")
        #expect((try? await c.query("SELECT pg_is_in_recovery()")) == "f", "\(c.story())")
        #expect(try await c.query("SELECT string_agg(v, ',' ORDER BY v) FROM t") == "archived after it,in the backup")
        let bootstrapJob = try #require(try c.jobs().first)
        let bootstrapAttempt = try #require(try c.history().attempts(jobID: bootstrapJob.id).first)
        #expect(bootstrapAttempt.method == "pgbackrest")
        #expect(bootstrapAttempt.argv.first == world.hooksDirectory + "/pgbackrest_restore")
        #expect(bootstrapAttempt.argv.contains("--stanza=demo"))
        #expect(try await world.dcsView(scope: "restored").initialize == (try await ImagingEndToEndTests.systemIdentifier(c)))

        // A replica with the primary up (its daemon keeps the leader key): the restore runs first (no leader needed,
        // data kept), then it streams.
        let primaryDaemon = try a.startDaemon()
        defer { primaryDaemon.kill(SIGKILL) }
        try await SidecarNode.waitUntil(.seconds(30), "a's leader key") { try await world.dcsView().leader == "a" }
        let chain = """
              create_replica_methods: [pgbackrest, basebackup]
              pgbackrest:
                command: pgbackrest_restore
                stanza: demo
                config: \(config)
                delta: true
                no_leader: true
                keep_data: true
            """
        let r1 = try world.node("r1")
        try r1.configure(postgresql: chain)
        let up = try await r1.runOnce()
        #expect(up.succeeded, "\(up.stderr)")
        let r1Job = try #require(try r1.jobs().first)
        #expect(r1Job.state == .succeeded, "\(r1.story())")
        let r1Detail = try r1.history().detail(jobID: r1Job.id)
        #expect(r1Detail.attempts.map(\.method) == ["pgbackrest"])
        #expect(r1Detail.attempts.first?.argv.contains("--role=replica") == true)
        #expect(r1Detail.events.map(\.message).contains("trying to bootstrap from leader 'a'"))
        try await SidecarNode.waitUntil(.seconds(60), "r1 streaming from a") {
            try await a.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'r1'") == "1"
        }
        #expect(try await r1.query("SELECT count(*) FROM t") == "2")

        // The primary stopped and its leader key expired: only the no_leader method may run, with an empty connstring.
        #expect(await SidecarNode.stop(primaryDaemon) == 0)
        let stop = try await EtcdHarness.offPool {
            try AsUser.run(["/usr/lib/postgresql/15/bin/pg_ctl", "stop", "-D", a.dataDirectory, "-m", "fast", "-w"], timeout: .seconds(60))
        }
        try #require(stop.succeeded, "\(stop.stderr)")
        try await SidecarNode.waitUntil(.seconds(30), "the leader key to expire") { try await world.dcsView().leader == nil }
        let r2 = try world.node("r2")
        try r2.configure(postgresql: chain)
        let down = try await r2.runOnce()
        #expect(down.succeeded, "\(down.stderr)")
        let r2Job = try #require(try r2.jobs().first)
        #expect(r2Job.state == .succeeded, "\(r2.story())")
        let r2Detail = try r2.history().detail(jobID: r2Job.id)
        #expect(r2Detail.attempts.map(\.method) == ["pgbackrest"])
        #expect(r2Detail.attempts.first?.argv.contains("--connstring=") == true)
        #expect(r2Detail.events.map(\.message).contains("trying to bootstrap (without leader)"))
        #expect(try await r2.query("SELECT pg_is_in_recovery()") == "t")
        try await SidecarNode.waitUntil(.seconds(60), "r2 to replay the archived rows") {
            try await r2.query("SELECT count(*) FROM t") == "2"
        }
    }
}
