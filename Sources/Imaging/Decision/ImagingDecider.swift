import DCS

/// The pure decision of SPEC §3: no I/O, no clock; randomness is injected so tests are exact.
public struct ImagingDecider: Sendable {
    /// One entry of the replica chain as the decision sees it.
    public struct ChainEntry: Sendable, Equatable {
        public var name: String
        /// `no_leader` (or Patroni's `no_master`): the method can run without a leader.
        public var noLeader: Bool

        public init(name: String, noLeader: Bool = false) {
            self.name = name
            self.noLeader = noLeader
        }
    }

    /// This node's name.
    public var node: String
    /// `tags.nofailover`: such a node never bootstraps.
    public var nofailover: Bool
    /// Whether the configuration has a `bootstrap` section (Patroni bootstraps only then).
    public var hasBootstrap: Bool
    /// `postgresql.create_replica_methods`, in order.
    public var chain: [ChainEntry]

    public init(node: String, nofailover: Bool, hasBootstrap: Bool, chain: [ChainEntry]) {
        self.node = node
        self.nofailover = nofailover
        self.hasBootstrap = hasBootstrap
        self.chain = chain
    }

    /// Decides what an `image` job does with this view of the cluster.
    ///
    /// - Parameter pick: chooses an index in `0..<count` among equally good clone sources (random in the daemon).
    public func decide(_ view: ClusterView, pick: (Int) -> Int = { Int.random(in: 0..<$0) }) -> ImagingDecision {
        if let leader = view.leader {
            if leader == node {
                return .wait(reason: "the leader key names this node but its data dir needs imaging; waiting for the key to expire")
            }
            guard let source = cloneSource(view, pick: pick) else {
                return .wait(reason: "waiting for leader '\(leader)' to publish its member record")
            }
            return .clone(source: source.member, fromLeader: source.isLeader, methods: chain.map(\.name))
        }
        if view.initialize == nil && !nofailover && hasBootstrap {
            return .raceForBootstrap
        }
        let withoutLeader = chain.filter(\.noLeader).map(\.name)
        if !withoutLeader.isEmpty && view.initialize != "" {
            return .cloneWithoutLeader(methods: withoutLeader)
        }
        return .wait(reason: "waiting for leader to bootstrap")
    }

    /// The decision for `sidecar reinit --from-leader`: the leader only, `basebackup` only (as Patroni does).
    public func decideFromLeader(_ view: ClusterView) -> ImagingDecision {
        guard let leader = view.leader else { return .wait(reason: "waiting for leader to bootstrap") }
        guard let member = view.leaderMember, leader != node else {
            return .wait(reason: "waiting for leader '\(leader)' to publish its member record")
        }
        return .clone(source: member, fromLeader: true, methods: ["basebackup"])
    }

    /// The clone source of SPEC §3: a running member tagged `clonefrom` other than this node and the leader,
    /// chosen with `pick`; otherwise the leader's member record.
    public func cloneSource(_ view: ClusterView, pick: (Int) -> Int) -> (member: Member, isLeader: Bool)? {
        let candidates = view.members
            .filter { $0.clonefrom && $0.isRunning && $0.name != node && $0.name != view.leader }
            .sorted { $0.name < $1.name }
        if !candidates.isEmpty {
            let index = min(max(pick(candidates.count), 0), candidates.count - 1)
            return (candidates[index], false)
        }
        guard let leader = view.leaderMember, leader.name != node else { return nil }
        return (leader, true)
    }
}
