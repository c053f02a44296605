import Foundation
import JobStore
import TestSupport
import Testing

/// What `docker/compose.yaml` relies on, run natively: the very config files `docker/node-a.yml` and `node-b.yml`
/// (only container addresses and paths replaced, see ``substitutions``), the repository's hooks, etcd as the DCS, and
/// the readiness flow: each sidecar images its data dir and stops PostgreSQL (`after_imaging: stopped`), answers
/// `/readiness` 200, and only then does the test start `postgres -D <data dir>` as the postgres container does.
@Suite(.timeLimit(.minutes(5)))
struct HTTPComposeFlowTests {
    /// Container value → this machine's value, for one node of the world.
    static func substitutions(_ node: SidecarNode, etcd: EtcdHarness) -> [(String, String)] {
        [
            ("etcd:2379", etcd.endpoint),
            ("/var/lib/postgresql/data", node.dataDirectory),
            ("/var/lib/sidecar", node.stateDirectory),
            ("/var/run/postgresql", node.socketDirectory),
            ("0.0.0.0:5432", "127.0.0.1:\(node.port)"),
            ("127.0.0.1:8009", "127.0.0.1:\(node.httpPort)"),
            ("\(node.name):5432", "127.0.0.1:\(node.port)"),
        ]
    }

    /// `docker/<name>.yml` with the substitutions, written beside the world's hooks.d (the compose layout: the config
    /// at /etc/sidecar/sidecar.yml, the hooks at /etc/sidecar/hooks.d). Every substituted value must occur in the file.
    static func config(_ node: SidecarNode, etcd: EtcdHarness) throws -> String {
        var text = try String(contentsOfFile: SidecarWorld.repository + "/docker/\(node.name).yml", encoding: .utf8)
        for (container, local) in substitutions(node, etcd: etcd) {
            #expect(text.contains(container), "docker/\(node.name).yml no longer contains \(container)")
            text = text.replacingOccurrences(of: container, with: local)
        }
        try FileManager.default.createDirectory(atPath: node.root, withIntermediateDirectories: true)
        try SidecarWorld.chownTree(node.root)
        let path = node.world.directory.file("\(node.name).yml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try ScratchDirectory.chown(path, to: "postgres")
        return path
    }

    /// What the postgres container runs once `/readiness` is 200.
    static func startPostgres(_ node: SidecarNode) throws -> ChildProcess {
        try ChildProcess(
            "/usr/sbin/runuser", ["-u", "postgres", "--", "/usr/lib/postgresql/15/bin/postgres", "-D", node.dataDirectory],
            environment: SidecarNode.environment)
    }

    static func status(_ node: SidecarNode) async throws -> [String: Any] {
        try await HTTPProbe.request(port: node.httpPort, "/status").json()
    }

    @Test func bothNodesImageThenPostgreSQLStartsOnReadinessAndReplicates() async throws {
        let etcd = try await EtcdHarness.start()
        defer {
            etcd.stop()
            etcd.cleanup()
        }
        let world = try SidecarWorld(scope: "demo")
        defer { world.tearDown() }
        let a = try world.node("node-a")
        let b = try world.node("node-b")
        let configA = try Self.config(a, etcd: etcd)
        let configB = try Self.config(b, etcd: etcd)
        for path in [configA, configB] {
            let check = try await EtcdHarness.offPool {
                try AsUser.run([world.binary, "config", "check", "--config", path], environment: SidecarNode.environment)
            }
            #expect(check.succeeded, "\(path): \(check.stderr)")
        }

        try await HTTPDaemon.with(a, config: configA) { _ in
            // node-a bootstraps through hooks.d/initdb_bootstrap, stops PostgreSQL, and is ready: nothing runs yet.
            try await HTTPProbe.waitFor(port: a.httpPort, "/readiness", .seconds(120), "node-a ready") { $0.status == 200 }
            let imaged = try await Self.status(a)
            #expect(imaged["instance"] as? String == "stopped")
            #expect((imaged["dcs"] as? [String: Any])?["backend"] as? String == "etcd3")
            #expect(!FileManager.default.fileExists(atPath: a.dataDirectory + "/postmaster.pid"))
            let bootstrap = try #require(try a.jobs().first)
            #expect(try a.history().attempts(jobID: bootstrap.id).first?.method == "initdb_bootstrap")

            // postgres-a starts on readiness; sidecar verifies the primary and holds the leader key.
            let postgresA = try Self.startPostgres(a)
            try await HTTPProbe.waitFor(port: a.httpPort, "/status", .seconds(60), "node-a primary and leader") { response in
                let json = try response.json()
                return json["instance"] as? String == "primary" && json["leader"] as? String == "node-a"
            }

            try await HTTPDaemon.with(b, config: configB) { _ in
                // node-b: wal_g_restore fails (no wal-g), basebackup copies node-a, PostgreSQL stopped, ready.
                try await HTTPProbe.waitFor(port: b.httpPort, "/readiness", .seconds(120), "node-b ready") { $0.status == 200 }
                let job = try #require(try b.jobs().first)
                let attempts = try b.history().attempts(jobID: job.id)
                #expect(attempts.map(\.method) == ["wal_g_restore", "basebackup"])
                #expect(attempts.map(\.outcome) == [.failed, .succeeded])
                #expect(attempts.allSatisfy { $0.cloneSource == "node-a" })

                let postgresB = try Self.startPostgres(b)
                try await HTTPProbe.waitFor(port: b.httpPort, "/status", .seconds(60), "node-b a running replica") { response in
                    try response.json()["instance"] as? String == "replica"
                }
                try await SidecarNode.waitUntil(.seconds(30), "node-b streaming from node-a") {
                    try await a.query("SELECT state FROM pg_stat_replication WHERE application_name = 'node-b'") == "streaming"
                }
                #expect(try await HTTPProbe.request(port: b.httpPort, "/health").status == 200)
                withExtendedLifetime(postgresB) {}
            }
            withExtendedLifetime(postgresA) {}
        }
    }
}
