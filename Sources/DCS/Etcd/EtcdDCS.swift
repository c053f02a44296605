import Logging

/// The etcd v3 ``DCSDriver`` (SPEC §8) over libcurl and etcd's JSON gateway, for clusters that span hosts.
///
/// One lease per node carries its member key, the leader key while it holds it, and the initialize owner key while
/// it bootstraps; ``keepAlive()`` renews it and re-grants and re-publishes a lease lost while etcd was away.
/// Every call is bounded by `retryTimeout` and throws `.unreachable` when no host answered.
public struct EtcdDCS: DCSDriver {
    public var backend: String { "etcd3" }
    public let configuration: Configuration
    let session: DCSSession<EtcdClient>

    /// Builds the driver; no request is made until the first call. Throws `.configuration` for an empty host list.
    public init(_ configuration: Configuration, logger: Logger = Logger(label: "sidecar.dcs")) throws(DCSError) {
        self.configuration = configuration
        self.session = DCSSession(
            backend: try EtcdClient(configuration: configuration),
            keys: DCSKeys(namespace: configuration.namespace, scope: configuration.scope),
            name: configuration.name,
            ttl: configuration.ttl,
            label: "etcd",
            logger: logger
        )
    }

    public func cluster() async throws(DCSError) -> ClusterView { try await session.cluster() }
    public func raceInitialize() async throws(DCSError) -> Bool { try await session.raceInitialize() }
    public func setInitialize(_ systemIdentifier: String) async throws(DCSError) { try await session.setInitialize(systemIdentifier) }
    public func cancelInitialize() async throws(DCSError) { try await session.cancelInitialize() }
    public func takeLeader() async throws(DCSError) -> Bool { try await session.takeLeader() }
    public func releaseLeader() async throws(DCSError) { try await session.releaseLeader() }
    public func touchMember(_ member: Member) async throws(DCSError) { try await session.touchMember(member) }
    public func deleteMember() async throws(DCSError) { try await session.deleteMember() }
    public func keepAlive() async throws(DCSError) { try await session.keepAlive() }
    public func writeConfigIfAbsent(_ json: String) async throws(DCSError) -> Bool { try await session.writeConfigIfAbsent(json) }
    public func close() async { await session.close() }
}

extension DCSDriver where Self == EtcdDCS {
    /// The etcd v3 driver: `let dcs: some DCSDriver = try .etcd(.init(hosts: ["127.0.0.1:2379"], scope: "demo", name: "a"))`.
    public static func etcd(_ configuration: EtcdDCS.Configuration, logger: Logger = Logger(label: "sidecar.dcs")) throws(DCSError) -> EtcdDCS {
        try EtcdDCS(configuration, logger: logger)
    }
}
