import Foundation
import JobStore
import TestSupport

/// One sidecar node of a ``SidecarWorld``: its config file, and the ways a test drives and inspects it.
struct SidecarNode: Sendable {
    let world: SidecarWorld
    let name: String
    let port: Int
    /// The daemon's HTTP port (`sidecar.listen` 127.0.0.1:httpPort unless the test's `sidecar` keys set `listen`).
    let httpPort: Int

    var root: String { world.directory.file(name) }
    var dataDirectory: String { root + "/data" }
    var stateDirectory: String { root + "/state" }
    var configPath: String { root + "/sidecar.yml" }
    var socketDirectory: String { root }

    /// Writes the config: scope, name, the shared local DCS, this node's dirs and port, `loop_wait` 1, plus `body`
    /// (YAML top-level sections such as `bootstrap:`, indented `postgresql` keys in `postgresql`, `sidecar` keys in `sidecar`,
    /// `postgresql.parameters` lines, indented four spaces, in `parameters`).
    func configure(
        scope: String? = nil, bootstrap: String = "", parameters: String = "", postgresql: String = "", sidecar: String = "", top: String = "",
        hooksDirectory: String? = nil
    ) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let yaml = """
            scope: \(scope ?? world.scope)
            name: \(name)
            loop_wait: 1
            \(top)
            \(bootstrap)
            postgresql:
              data_dir: \(dataDirectory)
              listen: 127.0.0.1:\(port)
              parameters:
                unix_socket_directories: \(socketDirectory)
            \(parameters)
              authentication:
                superuser: {username: postgres, password: "su secret"}
                replication: {username: replicator, password: "rep'secret"}
            \(postgresql)
            sidecar:
              state_dir: \(stateDirectory)
              hooks_dir: \(hooksDirectory ?? world.hooksDirectory)
              dcs:
                local:
                  path: \(world.dcsPath)
              basebackup:
                retry_wait: 1s
            \(sidecar.contains("listen:") ? "" : "  listen: 127.0.0.1:\(httpPort)")
            \(sidecar)
            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        try SidecarWorld.chownTree(root)
    }

    // Every call below that waits for a process runs off Swift's cooperative pool (which has one thread per core):
    // a test blocking it would starve every other test running in parallel.

    /// `sidecar run --once` as `postgres`.
    @discardableResult
    func runOnce(timeout: Duration = .seconds(120)) async throws -> AsUser.Result {
        try await sidecar(["run", "--once"], timeout: timeout)
    }

    /// `sidecar <arguments> --config <this node's config>` as `postgres`.
    func sidecar(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> AsUser.Result {
        let argv = [world.binary] + arguments + ["--config", configPath]
        return try await EtcdHarness.offPool { try AsUser.run(argv, environment: Self.environment, timeout: timeout) }
    }

    /// The daemon (`sidecar run`) as `postgres`, in the background. `setpriv` switches user and group and then execs
    /// sidecar (unlike `runuser`, which forks and waits), so the child's pid is sidecar's own: a test can SIGKILL or
    /// SIGTERM the daemon itself by that pid.
    func startDaemon() throws -> ChildProcess {
        try ChildProcess(
            "/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", world.binary, "run", "--config", configPath],
            environment: Self.environment)
    }

    /// One value from a query as the superuser over this node's socket.
    func query(_ sql: String) async throws -> String {
        let argv = ["/usr/bin/psql", "-X", "-A", "-t", "-h", socketDirectory, "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-c", sql]
        let result = try await EtcdHarness.offPool { try AsUser.run(argv, user: nil, timeout: .seconds(30)) }
        guard result.succeeded else { throw TestSupportError("psql on \(name): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The job database, read directly.
    func history() throws -> AuditHistory {
        AuditHistory(database: try JobDatabase(path: stateDirectory + "/" + JobDatabase.fileName, create: false))
    }

    func jobs() throws -> [Job] {
        try history().jobs(JobFilter(limit: 1000))
    }

    /// Every job's events and the server log's tail, for a failure message.
    func story() -> String {
        var lines: [String] = []
        for job in (try? jobs()) ?? [] {
            lines.append("job \(job.id) \(job.kind.rawValue) \(job.state.rawValue) \(job.lastError ?? "")")
            for event in (try? history().detail(jobID: job.id).events) ?? [] { lines.append("  \(event.message)") }
        }
        let log = (try? String(contentsOfFile: stateDirectory + "/logs/postgresql.log", encoding: .utf8)) ?? ""
        lines += log.split(separator: "\n").suffix(15).map { "  log: \($0)" }
        return lines.joined(separator: "\n")
    }

    /// Polls `condition` every 100 ms until it holds or `timeout` passes.
    static func waitUntil(_ timeout: Duration = .seconds(60), _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSupportError("timed out after \(timeout) waiting for \(what)")
    }

    /// The test's environment for sidecar: a plain PATH, no inherited PG* or SIDECAR_* variables.
    static let environment: [String: String] = [
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "SWIFT_BACKTRACE": "enable=no",
    ]
}
