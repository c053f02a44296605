import Foundation
import TestSupport
import Testing

@testable import Sidecar

/// `sidecar config check`, run as the built binary.
@Suite struct ConfigCheckCommandTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built `sidecar` with `arguments` and exactly `environment`, waiting at most 60 s.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Run {
        let child = try ChildProcess(try BuiltProducts.path("sidecar"), arguments, environment: environment)
        guard let status = await child.wait(timeout: .seconds(60)) else {
            child.kill()
            Issue.record("sidecar \(arguments) did not exit within 60 s")
            return Run(status: -1, stdout: child.stdout, stderr: child.stderr)
        }
        return Run(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    @Test func validConfigurationPrintsASummaryAndExits0() async throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        try fixture.hook("hooks.d/pitr_restore")
        try fixture.hook("hooks.d/wal_g_restore")
        try fixture.hook("hooks.d/post/setup")
        let yaml = """
            scope: batman
            name: node1
            etcd3:
              hosts: [127.0.0.1:2379]
            bootstrap:
              method: pitr
              pitr:
                command: pitr_restore --fast
              post_bootstrap: ./post/setup
            postgresql:
              data_dir: data
              bin_dir: /opt/pg/bin
              create_replica_methods: [wal_g_restore, shell, basebackup]
              shell:
                command: /bin/sh -c true
                no_leader: 1
            """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: fixture.file))
        let run = try await Self.run(["config", "check", "--config", fixture.file], environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr == "")
        let directory = fixture.scratch.path
        for line in [
            "scope          batman", "node           node1", "data dir       \(directory)/data", "DCS            etcd3 (http://127.0.0.1:2379)",
            "bootstrap      pitr (pitr_restore --fast)", "chain          wal_g_restore -> shell (no_leader) -> basebackup",
            "  bootstrap pitr: \(directory)/hooks.d/pitr_restore", "  replica wal_g_restore: \(directory)/hooks.d/wal_g_restore",
            "  replica shell: /bin/sh", "  post_bootstrap post_bootstrap: \(directory)/hooks.d/./post/setup",
        ] {
            #expect(run.stdout.contains(line + "\n"), "missing '\(line)' in:\n\(run.stdout)")
        }
    }

    @Test func everyLoadProblemIsPrintedOnItsOwnLineWithExit64() async throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let yaml = """
            name: node1
            bootstrap:
              method: wal_g
            sidecar:
              hook_timeout: 0.5
              colour: blue
            """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: fixture.file))
        let run = try await Self.run(["config", "check", "--config", fixture.file], environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 64)
        #expect(run.stdout == "")
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "sidecar: the configuration has 5 problems:")
        #expect(lines.count == 6, "\(run.stderr)")
        for prefix in [
            "scope: missing", "postgresql.data_dir: missing", "bootstrap.method: 'wal_g' has no section", "sidecar.hook_timeout: 0.5 is below 1s",
            "sidecar.colour: unknown setting",
        ] {
            #expect(lines.contains { $0.hasPrefix(prefix) }, "no line starting with '\(prefix)' in:\n\(run.stderr)")
        }
    }

    @Test func unsafeHooksAreProblemsWithExit64() async throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        try fixture.hook("hooks.d/wal_g_restore", mode: 0o644)
        try fixture.hook("hooks.d/open", mode: 0o777)
        let yaml = """
            scope: s
            name: n
            bootstrap:
              post_bootstrap: ../escape
            postgresql:
              data_dir: /d
              bin_dir: /opt/pg/bin
              create_replica_methods: [wal_g_restore, open]
            """
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: fixture.file))
        let run = try await Self.run(["config", "check", "--config", fixture.file], environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 64)
        let hooks = fixture.scratch.file("hooks.d")
        #expect(
            run.stderr.contains("postgresql.create_replica_methods: \(hooks)/wal_g_restore is not executable: chmod 755 \(hooks)/wal_g_restore\n"))
        #expect(run.stderr.contains("postgresql.create_replica_methods: \(hooks)/open is world-writable"))
        #expect(run.stderr.contains("bootstrap.post_bootstrap: \(hooks)/../escape does not exist"))
    }

    @Test func noConfigurationIsExit64() async throws {
        let run = try await Self.run(["config", "check"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("no configuration file: pass --config FILE or set SIDECAR_CONFIG"))
    }
}
