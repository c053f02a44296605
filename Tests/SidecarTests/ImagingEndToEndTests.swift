import DCS
import Foundation
import JobStore
import TestSupport
import Testing

/// SPEC §3–5 end to end: the real `sidecar` binary run as `postgres` against real PostgreSQL 15 and a shared local DCS.
@Suite(.timeLimit(.minutes(5)))
struct ImagingEndToEndTests {
    static let pgHBA = """
        bootstrap:
          pg_hba:
            - host replication replicator 127.0.0.1/32 scram-sha-256
            - host all all 127.0.0.1/32 scram-sha-256
        """

    /// A primary bootstrapped with initdb, for the replica tests.
    static func primary(_ world: SidecarWorld, _ name: String = "a", postgresql: String = "") async throws -> SidecarNode {
        let node = try world.node(name)
        try node.configure(bootstrap: pgHBA, postgresql: postgresql)
        let run = try await node.runOnce()
        try #require(run.succeeded, "\(run.stderr)")
        try #require(try await node.query("SELECT pg_is_in_recovery()") == "f")
        return node
    }

    static func systemIdentifier(_ node: SidecarNode) async throws -> String {
        let argv = ["/usr/lib/postgresql/15/bin/pg_controldata", "-D", node.dataDirectory]
        let result = try await EtcdHarness.offPool { try AsUser.run(argv, user: nil) }
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("Database system identifier:") } ?? ""
        return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    @Test func initdbBootstrapMakesARunningPrimaryAndPublishesIt() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try world.node("a")
        try a.configure(
            bootstrap: """
                bootstrap:
                  initdb:
                    - encoding: UTF8
                    - data-checksums
                  pg_hba:
                    - host replication replicator 127.0.0.1/32 scram-sha-256
                """)
        let run = try await a.runOnce()
        #expect(run.succeeded, "\(run.stderr)")

        #expect(try await a.query("SELECT pg_is_in_recovery()") == "f")
        #expect(try await a.query("SHOW data_checksums") == "on")
        #expect(try await a.query("SELECT rolreplication AND rolcanlogin FROM pg_roles WHERE rolname = 'replicator'") == "t")
        let view = try await world.dcsView()
        #expect(view.initialize == (try await Self.systemIdentifier(a)))
        #expect(view.leader == "a")
        #expect(view.leaderMember?.isPrimary == true)
        #expect(view.leaderMember?.connURL == "postgres://127.0.0.1:\(a.port)/postgres")

        let job = try #require(try a.jobs().first)
        #expect(job.state == .succeeded)
        let detail = try a.history().detail(jobID: job.id)
        #expect(detail.attempts.map(\.method) == ["initdb"])
        #expect(detail.attempts.first?.outcome == .succeeded)
        let events = detail.events.map(\.message)
        #expect(events.contains("trying to bootstrap a new cluster"))
        #expect(events.contains("acquired initialize lock"))
        // The superuser's password reached initdb through a file, never argv, and is stored nowhere.
        #expect(detail.attempts.first?.argv.contains { $0.hasPrefix("--pwfile=") } == true)
        let database = try Data(contentsOf: URL(fileURLWithPath: a.stateDirectory + "/jobs.sqlite"))
        #expect(database.range(of: Data("su secret".utf8)) == nil)
        #expect(!run.stderr.contains("su secret"))
    }

    @Test func replicaChainFallsBackToBasebackupAndStreams() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await Self.primary(world)
        let record = world.directory.file("fails.out")
        try world.hook(
            "fails",
            """
            for arg in "$@"; do printf '%s\\n' "$arg"; done > \(record)
            echo "PGPASSFILE=$PGPASSFILE mode $(stat -c %a "$PGPASSFILE")" >> \(record)
            echo "no backup to restore" >&2
            exit 1
            """)
        let b = try world.node("b")
        try b.configure(
            postgresql: """
                  create_replica_methods: [fails, basebackup]
                  fails:
                    command: fails
                """)
        let run = try await b.runOnce()
        #expect(run.succeeded, "\(run.stderr)")

        try await SidecarNode.waitUntil(.seconds(30), "b streaming from a") {
            try await a.query("SELECT state FROM pg_stat_replication WHERE application_name = 'b'") == "streaming"
        }
        #expect(try await b.query("SELECT pg_is_in_recovery()") == "t")

        let job = try #require(try b.jobs().first)
        #expect(job.state == .succeeded)
        let attempts = try b.history().detail(jobID: job.id).attempts
        #expect(attempts.map(\.method) == ["fails", "basebackup"])
        #expect(attempts.map(\.position) == [0, 1])
        #expect(attempts.map(\.exitCode) == [1, 0])
        #expect(attempts.allSatisfy { $0.cloneSource == "a" })
        #expect(String(decoding: attempts[0].stderrTail, as: UTF8.self).contains("no backup to restore"))

        let connstring = "dbname=postgres user=replicator host=127.0.0.1 port=\(a.port)"
        let expected = [
            world.hooksDirectory + "/fails", "--scope=e2e", "--role=replica", "--datadir=\(b.dataDirectory)", "--connstring=\(connstring)",
        ]
        #expect(attempts[0].argv == expected)
        let seen = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Array(seen.prefix(4)) == Array(expected.dropFirst()))
        #expect(seen.last == "PGPASSFILE=\(b.stateDirectory)/pgpass mode 600")
        #expect(!seen.joined().contains("rep'secret"))
        // The password is in the pgpass file only, escaped as libpq reads it.
        let pgpass = try String(contentsOfFile: b.stateDirectory + "/pgpass", encoding: .utf8)
        #expect(pgpass == "127.0.0.1:\(a.port):*:replicator:rep'secret\n")
    }

    @Test func failingCustomBootstrapReleasesInitializeAndAnotherNodeWins() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        try world.hook(
            "broken_restore",
            """
            mkdir -p "${2#--datadir=}" && echo partial > "${2#--datadir=}/half-restored"
            echo "restore: backup not found" >&2
            exit 3
            """)
        let a = try world.node("a")
        try a.configure(
            bootstrap: """
                bootstrap:
                  method: broken
                  broken:
                    command: broken_restore
                """)
        let run = try await a.runOnce()
        #expect(run.succeeded, "\(run.stderr)")

        let job = try #require(try a.jobs().last)
        #expect(job.state == .failed)
        #expect(job.lastError?.contains("exit 3") == true)
        let attempt = try #require(try a.history().detail(jobID: job.id).attempts.first)
        #expect(attempt.exitCode == 3)
        #expect(String(decoding: attempt.stderrTail, as: UTF8.self) == "restore: backup not found\n")
        #expect(try await world.dcsView().initialize == nil)
        #expect(FileManager.default.fileExists(atPath: a.dataDirectory + ".failed/half-restored"))

        let b = try world.node("b")
        try b.configure(bootstrap: Self.pgHBA)
        #expect(try await b.runOnce().succeeded)
        let view = try await world.dcsView()
        #expect(view.leader == "b")
        #expect(view.initialize == (try await Self.systemIdentifier(b)))
    }

    @Test func allMethodsFailingRequeuesThePassUntilMaxCycles() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        _ = try await Self.primary(world)
        try world.hook("nope", "echo nope >&2; exit 1")
        try world.hook("mute", "exit 1")
        let b = try world.node("b")
        try b.configure(
            postgresql: """
                  create_replica_methods: [first, second]
                  first: {command: nope}
                  second: {command: mute}
                """,
            sidecar: """
                  replica:
                    max_cycles: 2
                """)
        #expect(try await b.runOnce().succeeded)
        let queued = try #require(try b.jobs().first)
        #expect(queued.state == .queued)
        let wait = queued.notBefore.timeIntervalSince(queued.updatedAt)
        #expect(wait > 0.5 && wait < 1.5, "not_before should be about loop_wait (1 s) later, is \(wait) s")
        #expect(try b.history().attempts(jobID: queued.id).map(\.method) == ["first", "second"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: b.dataDirectory).isEmpty)

        try await SidecarNode.waitUntil(.seconds(5), "not_before to pass") { Date() > queued.notBefore }
        #expect(try await b.runOnce().succeeded)
        #expect(try b.jobs().count == 1, "a job that gave up is not replaced by a new one")
        let failed = try #require(try b.jobs().first)
        #expect(failed.state == .failed)
        #expect(failed.lastError?.contains("sidecar.replica.max_cycles = 2") == true)
        let attempts = try b.history().attempts(jobID: failed.id)
        #expect(attempts.map(\.method) == ["first", "second", "first", "second"])
        #expect(Set(attempts.map(\.cycle)).count == 2)
        // The silent method left no log file; `jobs logs` says so, and prints the other's.
        #expect(!FileManager.default.fileExists(atPath: try #require(attempts[1].logPath)))
        let mute = try await b.sidecar(["jobs", "logs", "\(failed.id)", "2"])
        #expect(mute.succeeded && mute.stdout.isEmpty && mute.stderr.contains("attempt 2 printed nothing"), "\(mute.stdout)\(mute.stderr)")
        let spoke = try await b.sidecar(["jobs", "logs", "\(failed.id)", "1"])
        #expect(spoke.stdout == "nope\n", "\(spoke.stderr)")
    }

    @Test func keepDataKeepsTheDataDirBetweenMethodsOnlyWhenAsked() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        _ = try await Self.primary(world)
        let out = world.directory.file("keep.out")
        let b = try world.node("b")
        try world.hook(
            "plant", "d=; for a in \"$@\"; do case $a in --datadir=*) d=${a#--datadir=};; esac; done; mkdir -p \"$d\" && touch \"$d/marker\"; exit 1")
        try world.hook(
            "look",
            """
            d="$1"; shift
            if [ -e "$d/marker" ]; then echo kept; else echo wiped; fi >> \(out)
            printf '%s\\n' "$@" >> \(out)
            exit 1
            """)
        try b.configure(
            postgresql: """
                  create_replica_methods: [plant, look_kept, look_wiped, basebackup]
                  plant: {command: plant, keep_data: true}
                  look_kept: {command: "look \(b.dataDirectory)", keep_data: true, no_params: true, extra: 1}
                  look_wiped: {command: "look \(b.dataDirectory)", no_params: true}
                """)
        #expect(try await b.runOnce().succeeded)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        // keep_data with no_params keeps the dir (Patroni loses it there) and passes neither flag.
        #expect(lines == ["kept", "--extra=1", "wiped"])
        #expect(try b.jobs().first?.state == .succeeded)
    }

    @Test func noLeaderMethodRunsWithEmptyConnstringOtherwiseTheJobWaits() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let out = world.directory.file("restore.out")
        try world.hook(
            "restore_from_archive",
            """
            printf '%s\\n' "$@" > \(out)
            for a in "$@"; do case $a in --datadir=*) d=${a#--datadir=};; esac; done
            /usr/lib/postgresql/15/bin/initdb --pgdata="$d" --username=postgres --auth-local=trust >/dev/null
            """)
        let r = try world.node("r")
        try r.configure(
            postgresql: """
                  create_replica_methods: [restore, basebackup]
                  restore: {command: restore_from_archive, no_leader: true}
                """)
        #expect(try await r.runOnce().succeeded)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("--connstring="))
        #expect(lines.contains("--no_leader=True"))
        let job = try #require(try r.jobs().first)
        #expect(job.state == .succeeded)
        let detail = try r.history().detail(jobID: job.id)
        #expect(detail.events.map(\.message).contains("trying to bootstrap (without leader)"))
        #expect(detail.attempts.map(\.method) == ["restore"])
        #expect(try await r.query("SELECT pg_is_in_recovery()") == "t")

        let w = try world.node("w")
        try w.configure(postgresql: "  create_replica_methods: [basebackup]")
        #expect(try await w.runOnce().succeeded)
        let waiting = try #require(try w.jobs().first)
        #expect(waiting.state == .queued)
        #expect(try w.history().detail(jobID: waiting.id).events.map(\.message).contains("waiting for leader to bootstrap"))
        #expect(try w.history().attempts(jobID: waiting.id).isEmpty)
    }

    @Test func basebackupOnlyChainNeedsNoHooksDirectory() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await Self.primary(world)
        let b = try world.node("b")
        try b.configure(hooksDirectory: world.directory.file("no-such-hooks.d"))
        #expect(try await b.runOnce().succeeded)
        let job = try #require(try b.jobs().first)
        #expect(job.state == .succeeded, "\(b.story())")
        try await SidecarNode.waitUntil(.seconds(30), "b streaming") {
            try await a.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'b'") == "1"
        }
    }

    @Test func aStartFailureAfterAGoodCopyIsRetriedAsAStartNotARecopy() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await Self.primary(world)
        let b = try world.node("b")
        try b.configure(parameters: "    wal_level: banana")
        #expect(try await b.runOnce().succeeded)
        let queued = try #require(try b.jobs().first)
        #expect(queued.state == .queued, "\(b.story())")
        #expect(queued.lastError?.hasPrefix("start failed") == true, "\(b.story())")
        #expect(FileManager.default.fileExists(atPath: b.dataDirectory + "/global/pg_control"), "the copy is kept (Patroni #190)")

        try b.configure()
        try await SidecarNode.waitUntil(.seconds(15), "not_before to pass") { Date() > queued.notBefore }
        #expect(try await b.runOnce().succeeded)
        let job = try #require(try b.jobs().first)
        #expect(job.state == .succeeded, "\(b.story())")
        let detail = try b.history().detail(jobID: job.id)
        #expect(detail.attempts.filter { $0.method == "basebackup" }.count == 1, "no second copy")
        #expect(detail.events.map(\.message).contains("the copy of an earlier pass is kept; starting it again"))
        try await SidecarNode.waitUntil(.seconds(30), "b streaming") {
            try await a.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'b'") == "1"
        }
    }

    @Test func clonefromReplicaIsTheSourceInsteadOfTheLeader() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await Self.primary(world)
        let b = try world.node("b")
        try b.configure(top: "tags: {clonefrom: true}")
        #expect(try await b.runOnce().succeeded)
        try await SidecarNode.waitUntil(.seconds(30), "b streaming") {
            try await a.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'b'") == "1"
        }
        let c = try world.node("c")
        try c.configure()
        #expect(try await c.runOnce().succeeded)
        let job = try #require(try c.jobs().first)
        let detail = try c.history().detail(jobID: job.id)
        #expect(detail.events.map(\.message).contains("trying to bootstrap from replica 'b'"))
        #expect(detail.attempts.map(\.cloneSource) == ["b"])
        try await SidecarNode.waitUntil(.seconds(30), "c streaming from b") {
            try await b.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'c'") == "1"
        }
    }
}
