import Foundation
import Logging
import SQLite

/// The embedded ``DCSDriver`` (SPEC §8): one SQLite file that the sidecars of one host share, with the same key
/// layout, member JSON and semantics as etcd.
///
/// Leases are rows with an expiry time (wall clock, so every process agrees); a key on a lease is gone once the
/// lease expires, a key without one (`initialize`, `config`) stays. Every create-if-absent is one `BEGIN IMMEDIATE`
/// transaction, so concurrent processes race safely. A lock held by another process longer than `retryTimeout`
/// throws `.unreachable`; a file that cannot be opened throws `.configuration`.
public struct LocalDCS: DCSDriver {
    public var backend: String { "local" }
    public let configuration: Configuration
    let session: DCSSession<LocalStore>

    /// Opens (creating if needed) the file and brings its schema up to date. Throws `.configuration` when the file
    /// cannot be opened or migrated.
    public init(_ configuration: Configuration, logger: Logger = Logger(label: "sidecar.dcs")) throws(DCSError) {
        self.configuration = configuration
        self.session = DCSSession(
            backend: try LocalStore(path: configuration.path, lockTimeout: configuration.retryTimeout, now: configuration.now),
            keys: DCSKeys(namespace: configuration.namespace, scope: configuration.scope),
            name: configuration.name,
            ttl: configuration.ttl,
            label: "local",
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

extension DCSDriver where Self == LocalDCS {
    /// The embedded driver: `let dcs: some DCSDriver = try .local(.init(path: stateDir + "/dcs.sqlite", scope: "demo", name: "a"))`.
    public static func local(_ configuration: LocalDCS.Configuration, logger: Logger = Logger(label: "sidecar.dcs")) throws(DCSError) -> LocalDCS {
        try LocalDCS(configuration, logger: logger)
    }
}

extension LocalDCS {
    /// Where the file is and who this node is.
    public struct Configuration: Sendable {
        /// The shared SQLite file (SPEC: `sidecar.dcs.local.path`, default `<state_dir>/dcs.sqlite`).
        public var path: String
        public var namespace: String
        public var scope: String
        /// This node's name.
        public var name: String
        /// Lifetime of the node's lease (member and leader keys) without a keepalive.
        public var ttl: Duration
        /// How long a call waits for another process's write lock.
        public var retryTimeout: Duration
        /// The clock leases are measured with (wall time; tests inject their own).
        public var now: @Sendable () -> Date

        /// A configuration with Patroni's defaults (`/service/`, ttl 30 s, retry_timeout 10 s).
        public init(
            path: String,
            namespace: String = "/service/",
            scope: String,
            name: String,
            ttl: Duration = .seconds(30),
            retryTimeout: Duration = .seconds(10),
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.path = path
            self.namespace = namespace
            self.scope = scope
            self.name = name
            self.ttl = ttl
            self.retryTimeout = retryTimeout
            self.now = now
        }

        /// The default file inside a state directory: `<stateDir>/dcs.sqlite`.
        public static func defaultPath(stateDirectory: String) -> String {
            (stateDirectory.hasSuffix("/") ? stateDirectory : stateDirectory + "/") + "dcs.sqlite"
        }
    }
}
