import Foundation
import Synchronization

extension MemoryDCS {
    /// The shared in-memory store several ``MemoryDCS`` nodes talk to, with etcd's semantics (leases expire, and
    /// their keys with them). Time comes from the injected `now`, so tests expire leases with ``advance(by:)``
    /// instead of sleeping.
    public final class Store: Sendable {
        private let clock: @Sendable () -> Date
        private let state = Mutex(Contents())

        struct Contents {
            var values: [String: (value: String, lease: Int64?)] = [:]
            var leases: [Int64: (expiry: Date, ttl: TimeInterval)] = [:]
            var nextLease: Int64 = 1
            var offset: TimeInterval = 0
            /// When set, every call fails with `.unreachable` (a DCS outage in tests).
            var unreachable = false
        }

        /// A store whose time is `now()` plus whatever ``advance(by:)`` added.
        public init(now: @escaping @Sendable () -> Date = { Date() }) {
            self.clock = now
        }

        /// Moves the store's time forward: leases whose TTL passed expire, and their keys vanish.
        public func advance(by duration: Duration) {
            state.withLock { $0.offset += duration.secondsDouble }
        }

        /// Makes every call of every node fail with `.unreachable` (`true`) or work again (`false`).
        public func setUnreachable(_ unreachable: Bool) {
            state.withLock { $0.unreachable = unreachable }
        }

        /// Every live key and value, sorted by key (for assertions and `dcs show`).
        public func snapshot() -> [(key: String, value: String)] {
            let now = now()
            return state.withLock { contents in
                Self.expire(&contents, now: now)
                return contents.values.map { ($0.key, $0.value.value) }.sorted { $0.key < $1.key }
            }
        }

        private func now() -> Date {
            clock().addingTimeInterval(state.withLock { $0.offset })
        }

        /// Runs `body` on the live contents, expired leases and their keys removed first.
        func access<T>(_ body: (inout Contents, Date) throws(DCSError) -> T) throws(DCSError) -> T {
            let now = now()
            return try state.withLock { contents throws(DCSError) -> T in
                if contents.unreachable { throw DCSError(.unreachable, "the in-memory DCS is marked unreachable") }
                Self.expire(&contents, now: now)
                return try body(&contents, now)
            }
        }

        private static func expire(_ contents: inout Contents, now: Date) {
            let dead = Set(contents.leases.filter { $0.value.expiry <= now }.map(\.key))
            guard !dead.isEmpty else { return }
            for id in dead { contents.leases[id] = nil }
            contents.values = contents.values.filter { entry in entry.value.lease.map { !dead.contains($0) } ?? true }
        }
    }
}

extension MemoryDCS.Store: KeyValueBackend {
    func range(prefix: String) throws(DCSError) -> [(key: String, value: String)] {
        try access { contents, _ in
            contents.values.filter { $0.key.hasPrefix(prefix) }.map { ($0.key, $0.value.value) }.sorted { $0.key < $1.key }
        }
    }

    func grant(ttl: Duration) throws(DCSError) -> Int64 {
        try access { contents, now in
            let id = contents.nextLease
            contents.nextLease += 1
            let seconds = Double(ttl.leaseSeconds)
            contents.leases[id] = (now.addingTimeInterval(seconds), seconds)
            return id
        }
    }

    func keepAlive(lease: Int64) throws(DCSError) -> Bool {
        try access { contents, now in
            guard let granted = contents.leases[lease] else { return false }
            contents.leases[lease] = (now.addingTimeInterval(granted.ttl), granted.ttl)
            return true
        }
    }

    func revoke(lease: Int64) throws(DCSError) {
        try access { contents, _ in
            contents.leases[lease] = nil
            contents.values = contents.values.filter { $0.value.lease != lease }
        }
    }

    func txn(_ txn: KVTxn) throws(DCSError) -> KVTxn.Outcome {
        try access { contents, _ in
            for compare in txn.compares {
                switch compare {
                case .absent(let key): if contents.values[key] != nil { return .failed }
                case .valueEquals(let key, let value): if contents.values[key]?.value != value { return .failed }
                }
            }
            for case .put(_, _, let lease?) in txn.success where contents.leases[lease] == nil { return .leaseNotFound }
            for operation in txn.success {
                switch operation {
                case .put(let key, let value, let lease): contents.values[key] = (value, lease)
                case .delete(let key): contents.values[key] = nil
                }
            }
            return .succeeded
        }
    }
}
