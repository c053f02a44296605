import Logging

/// A ``DCSDriver`` for one node over a shared in-memory ``Store``: the same semantics as etcd (leases, create-if-
/// absent, lost-lease recovery) with time under the test's control. For tests and `--dry-run`-style tools.
public struct MemoryDCS: DCSDriver {
    public var backend: String { "memory" }
    /// The store this node talks to (shared with the other nodes of the test cluster).
    public let store: Store
    let session: DCSSession<Store>

    /// A node `name` of `scope` on `store`, whose member and leader keys live `ttl` without ``keepAlive()``.
    public init(
        store: Store,
        namespace: String = "/service/",
        scope: String,
        name: String,
        ttl: Duration = .seconds(30),
        logger: Logger = Logger(label: "sidecar.dcs")
    ) {
        self.store = store
        self.session = DCSSession(
            backend: store, keys: DCSKeys(namespace: namespace, scope: scope), name: name, ttl: ttl, label: "memory", logger: logger)
    }

    public func cluster() async throws(DCSError) -> ClusterView { try await session.cluster() }
    public func raceInitialize() async throws(DCSError) -> Bool { try await session.raceInitialize() }
    public func setInitialize(_ systemIdentifier: String) async throws(DCSError) {
        try await session.setInitialize(systemIdentifier)
    }
    public func cancelInitialize() async throws(DCSError) { try await session.cancelInitialize() }
    public func takeLeader() async throws(DCSError) -> Bool { try await session.takeLeader() }
    public func releaseLeader() async throws(DCSError) { try await session.releaseLeader() }
    public func touchMember(_ member: Member) async throws(DCSError) { try await session.touchMember(member) }
    public func deleteMember() async throws(DCSError) { try await session.deleteMember() }
    public func keepAlive() async throws(DCSError) { try await session.keepAlive() }
    public func writeConfigIfAbsent(_ json: String) async throws(DCSError) -> Bool {
        try await session.writeConfigIfAbsent(json)
    }
    public func close() async { await session.close() }
}

extension DCSDriver where Self == MemoryDCS {
    /// A node on a shared in-memory store: `let store = MemoryDCS.Store(); let a: some DCSDriver = .memory(store, scope: "demo", name: "a")`.
    public static func memory(
        _ store: MemoryDCS.Store,
        namespace: String = "/service/",
        scope: String,
        name: String,
        ttl: Duration = .seconds(30),
        logger: Logger = Logger(label: "sidecar.dcs")
    ) -> MemoryDCS {
        MemoryDCS(store: store, namespace: namespace, scope: scope, name: name, ttl: ttl, logger: logger)
    }
}
