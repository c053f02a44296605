/// The few primitives every driver's store offers: a prefix read, leases, and an all-or-nothing transaction.
///
/// Calls are synchronous and may block (HTTP, SQLite); ``DCSSession`` runs them on its own serial queue, never on
/// Swift's cooperative pool. Nothing here is public: the drivers share one implementation of the SPEC §8 semantics.
protocol KeyValueBackend: Sendable {
    /// Every key/value whose key starts with `prefix`, keys with an expired lease excluded.
    func range(prefix: String) throws(DCSError) -> [(key: String, value: String)]
    /// Grants a new lease of `ttl`; returns its id.
    func grant(ttl: Duration) throws(DCSError) -> Int64
    /// Renews a lease for its TTL; `false` if the lease no longer exists (it expired and its keys are gone).
    func keepAlive(lease: Int64) throws(DCSError) -> Bool
    /// Revokes a lease, deleting its keys; an unknown lease is not an error.
    func revoke(lease: Int64) throws(DCSError)
    /// Applies `txn.success` if every compare holds.
    func txn(_ txn: KVTxn) throws(DCSError) -> KVTxn.Outcome
}

/// A compare-then-write transaction, the shape of etcd's `/v3/kv/txn` reduced to what sidecar needs.
struct KVTxn: Sendable {
    enum Compare: Sendable {
        /// The key does not exist (etcd: `create_revision == 0`).
        case absent(String)
        /// The key exists with this value.
        case valueEquals(String, String)
    }

    enum Operation: Sendable {
        case put(key: String, value: String, lease: Int64?)
        case delete(String)
    }

    enum Outcome: Sendable, Equatable {
        case succeeded
        /// A compare did not hold; nothing was written.
        case failed
        /// A put named a lease the store no longer has; nothing was written.
        case leaseNotFound
    }

    var compares: [Compare] = []
    var success: [Operation]
}

extension Duration {
    /// Whole seconds, rounded up, at least 1 (lease TTLs are whole seconds).
    var leaseSeconds: Int64 {
        let (seconds, attoseconds) = components
        return max(1, seconds + (attoseconds > 0 ? 1 : 0))
    }

    /// The duration in (fractional) seconds.
    var secondsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
