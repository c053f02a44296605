import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A real etcd (`/usr/bin/etcd`) for tests: started as a plain process on free loopback ports with a temp data dir,
/// ready once `etcdctl endpoint health` says so, stopped by pid. Optionally TLS with a private CA and client
/// certificates generated with `openssl`, and optionally with auth enabled through `etcdctl`.
///
/// ```swift
/// let etcd = try await EtcdHarness.start()
/// defer { etcd.cleanup() }
/// // EtcdDCS.Configuration(hosts: [etcd.endpoint], protocol: etcd.scheme, ...)
/// ```
public final class EtcdHarness: Sendable {
    /// Certificates generated for a TLS etcd (PEM files in the harness directory).
    public struct TLSFiles: Sendable {
        public let caCert: String
        public let serverCert: String
        public let serverKey: String
        public let clientCert: String
        public let clientKey: String
    }

    /// Temp directory holding the data dir, certificates and `etcd.log`.
    public let directory: String
    public let clientPort: Int
    public let peerPort: Int
    /// Present when started with `tls: true`; etcd then requires a client certificate signed by `caCert`.
    public let tls: TLSFiles?
    private let state = Mutex<(process: Process?, rootPassword: String?)>((nil, nil))

    /// `127.0.0.1:<clientPort>`.
    public var endpoint: String { "127.0.0.1:\(clientPort)" }
    /// `http` or `https`.
    public var scheme: String { tls == nil ? "http" : "https" }
    /// `<scheme>://127.0.0.1:<clientPort>`.
    public var url: String { "\(scheme)://\(endpoint)" }
    /// etcd's process id while it runs.
    public var pid: Int32? { state.withLock { $0.process?.isRunning == true ? $0.process?.processIdentifier : nil } }

    private init(directory: String, clientPort: Int, peerPort: Int, tls: TLSFiles?) {
        self.directory = directory
        self.clientPort = clientPort
        self.peerPort = peerPort
        self.tls = tls
    }

    /// Starts a fresh single-node etcd and waits (up to `timeout`) until it is healthy.
    public static func start(tls: Bool = false, timeout: Duration = .seconds(20)) async throws -> EtcdHarness {
        let directory = try makeTempDirectory(prefix: "sidecar-etcd-")
        let files = tls ? try await offPool { try generateCertificates(in: directory) } : nil
        // A port free a moment ago can be taken by another process before etcd binds it (another test run, a client's
        // outgoing connection): then the next pair of ports is tried, on a fresh data dir.
        for attempt in 1...3 {
            let harness = EtcdHarness(directory: directory, clientPort: try freePort(), peerPort: try freePort(), tls: files)
            do {
                try await harness.restart(timeout: timeout)
                return harness
            } catch {
                let log = (try? String(contentsOfFile: directory + "/etcd.log", encoding: .utf8)) ?? ""
                guard attempt < 3, log.contains("address already in use") else { throw error }
                try? FileManager.default.removeItem(atPath: directory + "/data")
                try? FileManager.default.removeItem(atPath: directory + "/etcd.log")
            }
        }
        throw Failure("etcd did not start")
    }

    /// (Re)starts etcd on the same ports and data dir (after ``stop()``), and waits until it is healthy.
    public func restart(timeout: Duration = .seconds(20)) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
        let peer = "http://127.0.0.1:\(peerPort)"
        var arguments = [
            "--name", "test", "--data-dir", directory + "/data",
            "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "test=\(peer)", "--initial-cluster-state", "new",
        ]
        if let tls {
            arguments += [
                "--cert-file", tls.serverCert, "--key-file", tls.serverKey, "--trusted-ca-file", tls.caCert, "--client-cert-auth",
            ]
        }
        process.arguments = arguments
        let logPath = directory + "/etcd.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        state.withLock { $0.process = process }
        try await waitUntilHealthy(timeout: timeout)
    }

    /// The first line of `etcd --version` (`etcd Version: 3.4.23`).
    public static func version() throws -> String {
        let output = try run("/usr/bin/etcd", ["--version"]).output
        return output.split(separator: "\n").first.map(String.init) ?? output
    }

    /// Stops etcd by pid (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. The data dir is kept.
    public func stop() {
        guard let process = state.withLock({ $0.process }) else { return }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        state.withLock { $0.process = nil }
    }

    /// Stops etcd and removes its directory.
    public func cleanup() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Creates user `root` with `password`, grants it the root role and enables auth. Later ``etcdctl(_:)`` calls
    /// authenticate as root.
    public func enableAuth(rootPassword password: String) throws {
        _ = try etcdctl(["user", "add", "root", "--new-user-password", password, "--interactive=false"])
        _ = try etcdctl(["user", "grant-role", "root", "root"])
        _ = try etcdctl(["auth", "enable"])
        state.withLock { $0.rootPassword = password }
    }

    /// Runs `etcdctl` against this etcd (TLS files and root credentials added) and returns its stdout;
    /// throws if it exits non-zero.
    @discardableResult
    public func etcdctl(_ arguments: [String]) throws -> String {
        let result = try Self.run("/usr/bin/etcdctl", etcdctlArguments() + arguments, environment: ["ETCDCTL_API": "3"])
        guard result.status == 0 else {
            throw Failure("etcdctl \(arguments.first ?? "") exited \(result.status): \(result.output)")
        }
        return result.output
    }

    /// The connection flags `etcdctl` needs for this etcd (endpoint, TLS files, root user once auth is on).
    public func etcdctlArguments() -> [String] {
        var arguments = ["--endpoints", url, "--dial-timeout", "2s", "--command-timeout", "5s"]
        if let tls { arguments += ["--cacert", tls.caCert, "--cert", tls.clientCert, "--key", tls.clientKey] }
        if let password = state.withLock({ $0.rootPassword }) { arguments += ["--user", "root:\(password)"] }
        return arguments
    }

    private func waitUntilHealthy(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            guard pid != nil else { throw Failure("etcd exited during startup; see \(directory)/etcd.log") }
            let arguments = etcdctlArguments() + ["endpoint", "health"]
            let result = try await Self.offPool { try Self.run("/usr/bin/etcdctl", arguments, environment: ["ETCDCTL_API": "3"]) }
            if result.status == 0 { return }
            last = result.output
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure("etcd not healthy within \(timeout): \(last); see \(directory)/etcd.log")
    }
}

extension EtcdHarness {
    /// The harness could not do what a test asked (a tool failed, a deadline passed).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}
