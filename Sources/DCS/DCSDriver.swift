/// The store shared by a cluster's nodes, with Patroni's key layout (SPEC §8).
///
/// A driver is built for one node (`scope`, `name`, `ttl`): the node's member key and, when it holds it,
/// the leader key live on the node's lease (etcd) or expiry time (local), renewed by ``keepAlive()``.
/// Every method either does what it says or throws ``DCSError``; an `.unreachable` error means the caller
/// must not act on a guess (no bootstrap race, no wipe) and should try again next cycle.
public protocol DCSDriver: Sendable {
    /// A short name for status output: `local`, `etcd3`, `memory`.
    var backend: String { get }

    /// One fresh read of everything under `<namespace><scope>/`.
    func cluster() async throws(DCSError) -> ClusterView

    /// Create `initialize` = `""` if it is absent (no lease), recording this node as the one bootstrapping.
    /// Returns `true` if this node won the race, `false` if the key already existed.
    func raceInitialize() async throws(DCSError) -> Bool
    /// Overwrite `initialize` with the system identifier after a successful bootstrap.
    func setInitialize(_ systemIdentifier: String) async throws(DCSError)
    /// Delete `initialize` (a failed bootstrap gives the other nodes their chance).
    func cancelInitialize() async throws(DCSError)

    /// Create `leader` = this node's name on its lease, only if absent. Returns whether this node holds it now.
    func takeLeader() async throws(DCSError) -> Bool
    /// Delete `leader` if this node holds it.
    func releaseLeader() async throws(DCSError)

    /// Write this node's member key (on its lease).
    func touchMember(_ member: Member) async throws(DCSError)
    /// Delete this node's member key.
    func deleteMember() async throws(DCSError)

    /// Renew the node's lease so its member and leader keys stay; re-grants a lost lease and re-publishes.
    func keepAlive() async throws(DCSError)

    /// Write `/config` if it is absent. Returns whether it was written.
    func writeConfigIfAbsent(_ json: String) async throws(DCSError) -> Bool

    /// Give up the node's lease and release any resources (idempotent).
    func close() async
}
