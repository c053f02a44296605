import DCS
import Foundation
import JobStore
import TestSupport
import Testing

/// SPEC §4: a custom bootstrap that restores a real base backup and recovers through `recovery_conf` with a WAL
/// archive made by the test, for both `promote` and `pause` (Patroni #2569: pause must not become a shutdown).
@Suite(.timeLimit(.minutes(5)))
struct CustomBootstrapRecoveryTests {
    /// A source cluster with a WAL archive, a base backup, and rows written before and after it.
    struct Source {
        var backup: String
        var archive: String
    }

    static func makeSource(_ world: SidecarWorld) async throws -> Source {
        let archive = try world.directory.makeDirectory("archive", owner: "postgres")
        let source = try world.node("src")
        try source.configure(
            scope: "source", bootstrap: ImagingEndToEndTests.pgHBA,
            parameters: """
                    archive_mode: "on"
                    archive_command: 'cp %p \(archive)/%f'
                """)
        let run = try await source.runOnce()
        try #require(run.succeeded, "\(run.stderr)")
        _ = try await source.query("CREATE TABLE t (v text); INSERT INTO t VALUES ('before')")
        let backup = world.directory.file("backup")
        let copy = try await EtcdHarness.offPool {
            try AsUser.run(
                [
                    "/usr/lib/postgresql/15/bin/pg_basebackup", "-D", backup, "-X", "stream", "-c", "fast", "-h", source.socketDirectory, "-p",
                    "\(source.port)", "-U", "postgres",
                ])
        }
        try #require(copy.succeeded, "\(copy.stderr)")
        _ = try await source.query("INSERT INTO t VALUES ('after')")
        _ = try await source.query("SELECT pg_create_restore_point('mark')")
        _ = try await source.query("INSERT INTO t VALUES ('late')")
        let segment = try await source.query("SELECT pg_walfile_name(pg_switch_wal())")
        try await SidecarNode.waitUntil(.seconds(30), "segment \(segment) archived") {
            FileManager.default.fileExists(atPath: archive + "/" + segment)
        }
        return Source(backup: backup, archive: archive)
    }

    static func restoringNode(
        _ world: SidecarWorld, _ name: String, _ source: Source, recovery: String, restoreCommand: String? = nil
    ) throws -> SidecarNode {
        try world.hook(
            "restore_copy",
            """
            for a in "$@"; do case $a in --datadir=*) d=${a#--datadir=};; --from=*) from=${a#--from=};; esac; done
            mkdir -p "$d" && cp -a "$from/." "$d/" && chmod 700 "$d"
            """)
        let node = try world.node(name)
        try node.configure(
            scope: name,
            bootstrap: """
                bootstrap:
                  method: restore
                  restore:
                    command: restore_copy
                    from: \(source.backup)
                    recovery_conf:
                      restore_command: '\(restoreCommand ?? "cp \(source.archive)/%f %p")'
                \(recovery)
                """)
        return node
    }

    static func expectRecoverySettingsGone(_ node: SidecarNode) {
        for name in ["recovery.signal", "standby.signal", "recovery.conf", "sidecar.recovery.conf", "backup_label"] {
            #expect(!FileManager.default.fileExists(atPath: node.dataDirectory + "/" + name), "\(name) should be gone")
        }
    }

    @Test func promoteRecoveryReplaysTheArchiveAndLeavesAPrimary() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let source = try await Self.makeSource(world)
        let node = try Self.restoringNode(
            world, "promoted", source,
            recovery: """
                      recovery_target_action: promote
                      recovery_target_timeline: latest
                """)
        let run = try await node.runOnce()
        #expect(run.succeeded, "\(run.stderr)")
        #expect((try? await node.query("SELECT pg_is_in_recovery()")) == "f", "\(node.story())")
        #expect(try await node.query("SELECT string_agg(v, ',' ORDER BY v) FROM t") == "after,before,late")
        Self.expectRecoverySettingsGone(node)
        // hot_standby is off only while the recovery runs: the configuration no longer says so (it takes effect at the
        // next restart, as hot_standby needs one).
        #expect(try await node.query("SELECT count(*) FROM pg_file_settings WHERE name = 'hot_standby' AND setting = 'off'") == "0")
        let job = try #require(try node.jobs().first)
        #expect(job.state == .succeeded)
        let events = try node.history().detail(jobID: job.id).events.map(\.message)
        #expect(events.contains("recovery ended; the instance is a primary"))
    }

    @Test func pauseAtTheTargetIsResumedNotShutDown() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let source = try await Self.makeSource(world)
        let node = try Self.restoringNode(
            world, "paused", source,
            recovery: """
                      recovery_target_name: mark
                      recovery_target_action: pause
                """)
        let run = try await node.runOnce()
        #expect(run.succeeded, "\(run.stderr)")
        #expect((try? await node.query("SELECT pg_is_in_recovery()")) == "f", "\(node.story())")
        #expect(try await node.query("SELECT string_agg(v, ',' ORDER BY v) FROM t") == "after,before")
        Self.expectRecoverySettingsGone(node)
        let job = try #require(try node.jobs().first)
        #expect(job.state == .succeeded)
        let events = try node.history().detail(jobID: job.id).events.map(\.message)
        #expect(events.contains { $0.hasPrefix("recovery paused at its target") })
    }
}
