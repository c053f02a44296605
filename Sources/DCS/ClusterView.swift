/// A snapshot of the cluster's keys, as read by ``DCSDriver/cluster()``.
public struct ClusterView: Sendable, Equatable {
    /// `nil`: no `initialize` key. `""`: a node is bootstrapping. Otherwise the system identifier.
    public var initialize: String?
    /// The node that set `initialize` to `""`, while its lease lives (sidecar's own key, beside Patroni's).
    public var initializeOwner: String?
    /// Name in the `leader` key, if any.
    public var leader: String?
    /// Every member key, by member name.
    public var members: [Member]
    /// The raw `/config` JSON, if any.
    public var config: String?

    public init(
        initialize: String? = nil,
        initializeOwner: String? = nil,
        leader: String? = nil,
        members: [Member] = [],
        config: String? = nil
    ) {
        self.initialize = initialize
        self.initializeOwner = initializeOwner
        self.leader = leader
        self.members = members
        self.config = config
    }

    /// `initialize` is `""` but the node that set it no longer holds its lease: a bootstrap died half-way and nobody
    /// will finish it. `sidecar dcs release-initialize` may delete it (``DCSDriver/cancelInitialize()``).
    public var initializeIsOrphaned: Bool {
        initialize == "" && initializeOwner == nil
    }

    /// The leader's member record, if the leader key names a published member.
    public var leaderMember: Member? {
        guard let leader else { return nil }
        return members.first { $0.name == leader }
    }
}
