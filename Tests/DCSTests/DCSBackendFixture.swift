import DCS
import Foundation
import Logging
import Synchronization
import TestSupport

/// The drivers the shared behaviour suite runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, local, etcd
    var description: String { rawValue }
}

/// One fresh store of a backend (an in-memory store, or a real etcd of its own) and nodes on it, with a way to make
/// leases expire: the memory store's and the local file's clocks are advanced; etcd's leases are revoked with
/// `etcdctl`, or left to run out.
final class DCSBackendFixture: Sendable {
    let backend: Backend
    let scope = "cluster-\(UUID().uuidString.prefix(8))"
    private let store: MemoryDCS.Store?
    /// The local driver's file (in its own temp directory) and the clock its nodes share.
    let localPath: String?
    let clock = TestClock()
    let etcd: EtcdHarness?
    /// What the fixture's nodes logged (nothing reaches the test output).
    let log = CapturedLog()

    private init(backend: Backend, store: MemoryDCS.Store? = nil, localPath: String? = nil, etcd: EtcdHarness? = nil) {
        self.backend = backend
        self.store = store
        self.localPath = localPath
        self.etcd = etcd
    }

    static func make(_ backend: Backend) async throws -> DCSBackendFixture {
        switch backend {
        case .memory:
            // Time stands still unless the test moves it: a loaded CI host cannot expire a lease by being slow.
            let frozen = Date()
            return DCSBackendFixture(backend: backend, store: MemoryDCS.Store(now: { frozen }))
        case .local: return DCSBackendFixture(backend: backend, localPath: try temporaryDirectory() + "/dcs.sqlite")
        case .etcd: return DCSBackendFixture(backend: backend, etcd: try await EtcdHarness.start())
        }
    }

    /// A short TTL: on etcd it runs out in real time (etcd raises anything shorter than 2 s to 2 s; 3 s leaves a
    /// slow host room between the calls a test makes), elsewhere only when the test moves the clock.
    var shortTTL: Duration { backend == .etcd ? .seconds(3) : .seconds(2) }

    /// A node of the fixture's scope.
    func node(_ name: String, ttl: Duration = .seconds(30), scope: String? = nil) throws -> any DCSDriver {
        let scope = scope ?? self.scope
        switch backend {
        case .memory:
            return MemoryDCS.memory(store!, scope: scope, name: name, ttl: ttl, logger: log.logger)
        case .local:
            let clock = clock
            return try LocalDCS.local(.init(path: localPath!, scope: scope, name: name, ttl: ttl, now: { clock.now() }), logger: log.logger)
        case .etcd:
            let configuration = EtcdDCS.Configuration(hosts: [etcd!.endpoint], scope: scope, name: name, ttl: ttl, retryTimeout: .seconds(5))
            return try EtcdDCS.etcd(configuration, logger: log.logger)
        }
    }

    /// Lets `duration` pass: the memory store jumps ahead; on etcd time passes for real (callers poll or sleep).
    func letTimePass(_ duration: Duration) {
        store?.advance(by: duration)
        clock.advance(by: duration)
    }

    /// Makes every lease vanish as if the DCS had been away longer than the TTL.
    func loseAllLeases() throws {
        if let store { store.advance(by: .seconds(3600)) }
        clock.advance(by: .seconds(3600))
        if let etcd {
            let listing = try etcd.etcdctl(["lease", "list"])
            for line in listing.split(separator: "\n").dropFirst() {
                _ = try etcd.etcdctl(["lease", "revoke", String(line.trimmingCharacters(in: .whitespaces))])
            }
        }
    }

    func cleanup() {
        etcd?.cleanup()
        if let localPath { try? FileManager.default.removeItem(atPath: (localPath as NSString).deletingLastPathComponent) }
    }

    /// Polls `view` until `condition` holds or the deadline passes; returns the last view.
    func eventually(
        _ driver: any DCSDriver,
        within timeout: Duration = .seconds(15),
        _ condition: (ClusterView) -> Bool
    ) async throws -> ClusterView {
        let deadline = ContinuousClock.now + timeout
        var view = try await driver.cluster()
        while !condition(view) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            view = try await driver.cluster()
        }
        return view
    }
}

/// A member record as sidecar publishes it.
func sampleMember(_ name: String, state: String = Member.State.running, role: String = "replica") -> Member {
    Member(
        name: name,
        connURL: "postgres://127.0.0.1:5432/postgres",
        apiURL: "http://127.0.0.1:8009/patroni",
        state: state,
        role: role,
        version: "0.1.0",
        tags: ["zone": "a"]
    )
}

/// A clock that stands still at its creation time until the test moves it (shared by the local nodes of a fixture).
final class TestClock: Sendable {
    private let start = Date()
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date { start.addingTimeInterval(offset.withLock { $0 }) }
    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        offset.withLock { $0 += Double(seconds) + Double(attoseconds) / 1e18 }
    }
}

/// A fresh directory under /tmp.
func temporaryDirectory() throws -> String {
    let path = "/tmp/sidecar-dcs-\(UUID().uuidString.prefix(12))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A swift-log handler that keeps messages in memory, so tests can assert what was logged.
final class CapturedLog: Sendable {
    private let entries = Mutex<[(level: Logger.Level, message: String)]>([])

    var logger: Logger { Logger(label: "sidecar.dcs.test") { _ in Handler(log: self) } }
    var messages: [(level: Logger.Level, message: String)] { entries.withLock { $0 } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.entries.withLock { $0.append((event.level, event.message.description)) }
        }
    }
}
