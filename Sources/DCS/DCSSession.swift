import Dispatch
import Logging
import Synchronization

/// One node's view of a ``KeyValueBackend``: its lease, what it published, and the SPEC §8 semantics every driver
/// shares (initialize race, leader only if absent, member on the lease, a lost lease re-granted and re-published).
///
/// Every operation runs on the session's serial queue, so multi-step operations never interleave and blocking
/// calls (libcurl, SQLite) stay off Swift's cooperative pool.
final class DCSSession<Backend: KeyValueBackend>: Sendable {
    let backend: Backend
    let keys: DCSKeys
    let name: String
    let ttl: Duration
    let logger: Logger
    private let queue: DispatchQueue
    private let state = Mutex(Published())

    /// What this node holds, so it can be put back if its lease is lost.
    private struct Published {
        var lease: Int64?
        var member: Member?
        var holdsLeader = false
        var ownsInitialize = false
    }

    init(backend: Backend, keys: DCSKeys, name: String, ttl: Duration, label: String, logger: Logger) {
        self.backend = backend
        self.logger = logger
        self.keys = keys
        self.name = name
        self.ttl = ttl
        self.queue = DispatchQueue(label: "sidecar.dcs.\(label).\(name)")
    }

    /// Runs `body` on the session's queue and resumes the caller with its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (DCSSession) throws(DCSError) -> T) async throws(DCSError) -> T {
        let result: Result<T, DCSError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(DCSError) {
                    continuation.resume(returning: .success(try body(self)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    // MARK: Operations (called on the queue)

    func cluster() throws(DCSError) -> ClusterView {
        keys.view(from: try backend.range(prefix: keys.prefix))
    }

    func raceInitialize() throws(DCSError) -> Bool {
        let won = try leasedTxn { lease in
            KVTxn(
                compares: [.absent(keys.initialize)],
                success: [.put(key: keys.initialize, value: "", lease: nil), .put(key: keys.initializeOwner, value: name, lease: lease)]
            )
        }
        if won { state.withLock { $0.ownsInitialize = true } }
        return won
    }

    func setInitialize(_ systemIdentifier: String) throws(DCSError) {
        _ = try backend.txn(
            KVTxn(success: [.put(key: keys.initialize, value: systemIdentifier, lease: nil), .delete(keys.initializeOwner)])
        )
        state.withLock { $0.ownsInitialize = false }
    }

    func cancelInitialize() throws(DCSError) {
        _ = try backend.txn(KVTxn(success: [.delete(keys.initialize), .delete(keys.initializeOwner)]))
        state.withLock { $0.ownsInitialize = false }
    }

    func takeLeader() throws(DCSError) -> Bool {
        let held = try createLeaderIfAbsent()
        state.withLock { $0.holdsLeader = held }
        return held
    }

    func releaseLeader() throws(DCSError) {
        _ = try backend.txn(KVTxn(compares: [.valueEquals(keys.leader, name)], success: [.delete(keys.leader)]))
        state.withLock { $0.holdsLeader = false }
    }

    func touchMember(_ member: Member) throws(DCSError) {
        let json = member.json()
        _ = try leasedTxn { lease in KVTxn(success: [.put(key: keys.member(name), value: json, lease: lease)]) }
        state.withLock { $0.member = member }
    }

    func deleteMember() throws(DCSError) {
        _ = try backend.txn(KVTxn(success: [.delete(keys.member(name))]))
        state.withLock { $0.member = nil }
    }

    func keepAlive() throws(DCSError) {
        let snapshot = state.withLock { $0 }
        if let lease = snapshot.lease {
            if try backend.keepAlive(lease: lease) { return }
        } else if snapshot.member == nil && !snapshot.holdsLeader && !snapshot.ownsInitialize {
            return  // nothing published yet: no lease to keep
        }
        try regrantAndRepublish()
    }

    func writeConfigIfAbsent(_ json: String) throws(DCSError) -> Bool {
        try backend.txn(KVTxn(compares: [.absent(keys.config)], success: [.put(key: keys.config, value: json, lease: nil)])) == .succeeded
    }

    func close() {
        let lease = state.withLock { published in
            defer { published = Published() }
            return published.lease
        }
        if let lease { try? backend.revoke(lease: lease) }
    }

    // MARK: Leases

    private func currentLease() throws(DCSError) -> Int64 {
        if let lease = state.withLock({ $0.lease }) { return lease }
        let lease = try backend.grant(ttl: ttl)
        state.withLock { $0.lease = lease }
        return lease
    }

    /// Runs a transaction that writes on this node's lease; a lease the store lost is re-granted (and everything
    /// this node published put back) before one retry.
    private func leasedTxn(_ build: (Int64) -> KVTxn) throws(DCSError) -> Bool {
        switch try backend.txn(build(try currentLease())) {
        case .succeeded: return true
        case .failed: return false
        case .leaseNotFound: break
        }
        try regrantAndRepublish()
        switch try backend.txn(build(try currentLease())) {
        case .succeeded: return true
        case .failed: return false
        case .leaseNotFound: throw DCSError(.protocolError, "the DCS lost lease of node '\(name)' right after granting it; check the DCS's health")
        }
    }

    /// The lease expired (the DCS was away longer than `ttl`): grant a new one and put back the member key, the
    /// leader key (only if still absent) and the initialize owner key (only while `initialize` is still `""`).
    private func regrantAndRepublish() throws(DCSError) {
        let lease = try backend.grant(ttl: ttl)
        let snapshot = state.withLock { published in
            published.lease = lease
            return published
        }
        logger.warning(
            "DCS lease of this node was lost (the DCS was away longer than ttl); re-granted and re-publishing its keys",
            metadata: [
                "member": "\(snapshot.member != nil)", "leader": "\(snapshot.holdsLeader)", "initialize_owner": "\(snapshot.ownsInitialize)",
            ])
        if let member = snapshot.member {
            guard try backend.txn(KVTxn(success: [.put(key: keys.member(name), value: member.json(), lease: lease)])) == .succeeded else {
                throw DCSError(.protocolError, "the DCS refused to re-publish member '\(name)' on a fresh lease")
            }
        }
        if snapshot.holdsLeader {
            let held = try createLeaderIfAbsent()
            state.withLock { $0.holdsLeader = held }
        }
        if snapshot.ownsInitialize {
            let owner = KVTxn(
                compares: [.valueEquals(keys.initialize, "")],
                success: [.put(key: keys.initializeOwner, value: name, lease: lease)]
            )
            let stillBootstrapping = try backend.txn(owner) == .succeeded
            state.withLock { $0.ownsInitialize = stillBootstrapping }
        }
    }

    /// Creates `leader` = this node on its lease if absent; `true` if this node holds it afterwards. A leader key
    /// that already names this node (left by an earlier run of it, on an older lease) is moved onto the current lease.
    private func createLeaderIfAbsent() throws(DCSError) -> Bool {
        let created = try leasedTxn { lease in
            KVTxn(compares: [.absent(keys.leader)], success: [.put(key: keys.leader, value: name, lease: lease)])
        }
        if created { return true }
        return try leasedTxn { lease in
            KVTxn(compares: [.valueEquals(keys.leader, name)], success: [.put(key: keys.leader, value: name, lease: lease)])
        }
    }
}
