import DCS
import Foundation
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

    private init(backend: Backend, store: MemoryDCS.Store? = nil, localPath: String? = nil, etcd: EtcdHarness? = nil) {
        self.backend = backend
        self.store = store
        self.localPath = localPath
        self.etcd = etcd
    }

    static func make(_ backend: Backend) async throws -> DCSBackendFixture {
        switch backend {
        case .memory: DCSBackendFixture(backend: backend, store: MemoryDCS.Store())
        case .local: DCSBackendFixture(backend: backend, localPath: try temporaryDirectory() + "/dcs.sqlite")
        case .etcd: DCSBackendFixture(backend: backend, etcd: try await EtcdHarness.start())
        }
    }

    /// The shortest TTL the backend honours (etcd raises shorter ones to its minimum, 2 s here).
    var shortTTL: Duration { .seconds(2) }

    /// A node of the fixture's scope.
    func node(_ name: String, ttl: Duration = .seconds(30), scope: String? = nil) throws -> any DCSDriver {
        let scope = scope ?? self.scope
        switch backend {
        case .memory:
            return MemoryDCS.memory(store!, scope: scope, name: name, ttl: ttl)
        case .local:
            let clock = clock
            return try LocalDCS.local(.init(path: localPath!, scope: scope, name: name, ttl: ttl, now: { clock.now() }))
        case .etcd:
            return try EtcdDCS.etcd(.init(hosts: [etcd!.endpoint], scope: scope, name: name, ttl: ttl, retryTimeout: .seconds(5)))
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

/// Wall time plus an offset the test moves forward (shared by the local nodes of one fixture).
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
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
