/// Patroni's key layout under `<namespace><scope>/` (SPEC §8), shared by every driver.
public struct DCSKeys: Sendable, Equatable {
    /// `<namespace><scope>/`, always ending in `/`.
    public let prefix: String

    /// Builds the layout; a namespace without a trailing `/` gets one (`/service` → `/service/`).
    public init(namespace: String, scope: String) {
        var namespace = namespace.isEmpty ? "/" : namespace
        if !namespace.hasSuffix("/") { namespace += "/" }
        prefix = namespace + scope + "/"
    }

    /// `""` while a node bootstraps, then the system identifier; no lease.
    public var initialize: String { prefix + "initialize" }
    /// Sidecar's own key beside `initialize`: the name of the node that set it to `""`, on that node's lease.
    public var initializeOwner: String { prefix + "initialize_owner" }
    /// The leader's member name, on its lease.
    public var leader: String { prefix + "leader" }
    /// `/config` JSON; no lease.
    public var config: String { prefix + "config" }
    /// The prefix of every member key.
    public var membersPrefix: String { prefix + "members/" }
    /// One member's key.
    public func member(_ name: String) -> String { membersPrefix + name }

    /// Folds raw key/value pairs read under ``prefix`` into a ``ClusterView``; unknown keys are ignored, and a
    /// member value that is not a JSON object is skipped.
    public func view(from pairs: [(key: String, value: String)]) -> ClusterView {
        var view = ClusterView()
        for (key, value) in pairs {
            switch key {
            case initialize: view.initialize = value
            case initializeOwner: view.initializeOwner = value
            case leader: view.leader = value
            case config: view.config = value
            default:
                if key.hasPrefix(membersPrefix) {
                    let name = String(key.dropFirst(membersPrefix.count))
                    if !name.isEmpty, let member = Member.parse(name: name, json: value) { view.members.append(member) }
                }
            }
        }
        view.members.sort { $0.name < $1.name }
        return view
    }
}
