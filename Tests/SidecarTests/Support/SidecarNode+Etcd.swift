import DCS
import Foundation
import JobStore
import TestSupport

/// Nodes that coordinate through a real etcd (``EtcdHarness``) instead of the world's local DCS file.
extension SidecarNode {
    /// Writes the config as ``configure(scope:bootstrap:parameters:postgresql:sidecar:top:)`` does, with `etcd` (an
    /// `etcd3:` section and any top-level timing keys, from ``SidecarWorld/etcdSection(_:ttl:retryTimeout:)``) added:
    /// `etcd3` takes precedence over the local DCS, so the node talks to etcd only.
    func configure(
        etcd: String, scope: String? = nil, bootstrap: String = "", parameters: String = "", postgresql: String = "", sidecar: String = "",
        top: String = ""
    ) async throws {
        try await EtcdHarness.offPool {
            try configure(
                scope: scope, bootstrap: bootstrap, parameters: parameters, postgresql: postgresql, sidecar: sidecar, top: etcd + "\n" + top)
        }
    }

    /// The node's jobs, read (as root) only once sidecar has written its database's header (it sets WAL mode before
    /// anything else, so it holds `-wal`/`-shm` open by then). A reader that comes earlier can create `-shm` as root
    /// just as the daemon (as `postgres`) opens it, and the daemon then exits with "unable to open database file".
    /// Empty until then.
    func daemonJobs() throws -> [Job] {
        let database = stateDirectory + "/" + JobDatabase.fileName
        guard let size = (try? FileManager.default.attributesOfItem(atPath: database))?[.size] as? Int, size > 0 else { return [] }
        return try jobs()
    }

    /// Every attempt of every job of this node, oldest job first.
    func attempts() throws -> [Attempt] {
        try daemonJobs().sorted { $0.id < $1.id }.flatMap { try history().attempts(jobID: $0.id) }
    }

    /// Every event message of every job of this node, oldest job first.
    func eventMessages() throws -> [String] {
        try daemonJobs().sorted { $0.id < $1.id }.flatMap { try history().detail(jobID: $0.id).events.map(\.message) }
    }

    /// `pg_ctl stop -m immediate` if this node's PostgreSQL runs.
    func stopPostgres() async {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") else { return }
        let argv = ["/usr/lib/postgresql/15/bin/pg_ctl", "stop", "-m", "immediate", "-D", dataDirectory]
        _ = try? await EtcdHarness.offPool { try AsUser.run(argv, timeout: .seconds(30)) }
    }

    /// The system identifier from `pg_controldata`.
    func systemIdentifier() async throws -> String {
        let argv = ["/usr/lib/postgresql/15/bin/pg_controldata", "-D", dataDirectory]
        let result = try await EtcdHarness.offPool { try AsUser.run(argv, user: nil) }
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("Database system identifier:") } ?? ""
        return line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }
}

extension SidecarWorld {
    /// A world built off the cooperative pool (it copies the binary and chowns through child processes).
    static func make(scope: String) async throws -> SidecarWorld {
        try await EtcdHarness.offPool { try SidecarWorld(scope: scope) }
    }

    /// An `etcd3:` section for `etcd` (TLS files copied into the world so `postgres` can read them), plus `ttl` and
    /// `retry_timeout`. `hosts` replaces the host list (e.g. a dead host first, or a comma string).
    func etcdSection(
        _ etcd: EtcdHarness, ttl: Int = 10, retryTimeout: Int = 2, hosts: String? = nil, username: String? = nil, password: String? = nil
    ) throws -> String {
        var lines = ["etcd3:", "  hosts: \(hosts ?? etcd.endpoint)", "  protocol: \(etcd.scheme)"]
        if let tls = etcd.tls {
            let directory = directory.file("etcd-tls")
            if !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for file in [tls.caCert, tls.clientCert, tls.clientKey] {
                    try FileManager.default.copyItem(atPath: file, toPath: directory + "/" + (file as NSString).lastPathComponent)
                }
                try Self.chownTree(directory)
            }
            lines += [
                "  cacert: \(directory)/\((tls.caCert as NSString).lastPathComponent)",
                "  cert: \(directory)/\((tls.clientCert as NSString).lastPathComponent)",
                "  key: \(directory)/\((tls.clientKey as NSString).lastPathComponent)",
            ]
        }
        if let username { lines.append("  username: \(username)") }
        if let password { lines.append("  password: \"\(password)\"") }
        lines += ["ttl: \(ttl)", "retry_timeout: \(retryTimeout)"]
        return lines.joined(separator: "\n")
    }

    /// A fresh read of `scope` in etcd, as an observer that is not a member.
    func etcdView(_ etcd: EtcdHarness, scope: String? = nil) async throws -> ClusterView {
        var configuration = EtcdDCS.Configuration(hosts: [etcd.endpoint], protocol: etcd.scheme, scope: scope ?? self.scope, name: "observer")
        configuration.cacert = etcd.tls?.caCert
        configuration.cert = etcd.tls?.clientCert
        configuration.key = etcd.tls?.clientKey
        configuration.retryTimeout = .seconds(5)
        return try await EtcdDCS(configuration).cluster()
    }
}

/// `sidecar run` daemons a test started: stopped by pid with SIGTERM (SIGKILL after a grace), their stderr kept for
/// failure messages.
final class SidecarDaemons: Sendable {
    let processes: [(node: SidecarNode, process: ChildProcess)]

    /// Starts `sidecar run` on every node, one right after the other.
    init(_ nodes: [SidecarNode]) throws {
        var started: [(SidecarNode, ChildProcess)] = []
        for node in nodes { started.append((node, try node.startDaemon())) }
        processes = started
    }

    /// SIGTERM to each daemon (by pid), then waits for all; SIGKILL to any still running after `grace`.
    func stop(grace: Duration = .seconds(30)) async {
        for entry in processes { entry.process.kill(SIGTERM) }
        for entry in processes where await entry.process.wait(timeout: grace) == nil {
            entry.process.kill(SIGKILL)
            _ = await entry.process.wait(timeout: .seconds(10))
        }
    }

    /// Each daemon's stderr tail and each node's job story.
    func story() -> String {
        processes.map { entry in
            let log = entry.process.stderr.split(separator: "\n").suffix(12).map { "  daemon: \($0)" }.joined(separator: "\n")
            return "== \(entry.node.name)\n\(entry.node.story())\n\(log)"
        }.joined(separator: "\n")
    }
}

/// The harness's blocking calls, off the cooperative pool that the tests running in parallel share.
extension EtcdHarness {
    /// ``stop()`` on a dispatch queue.
    func stopOffPool() async {
        _ = try? await EtcdHarness.offPool { self.stop() }
    }

    /// ``etcdctl(_:)`` on a dispatch queue.
    @discardableResult
    func ctl(_ arguments: [String]) async throws -> String {
        try await EtcdHarness.offPool { try self.etcdctl(arguments) }
    }
}
