import Hooks

/// The whole configuration, loaded and validated once (SPEC §1). Every path in it is absolute.
///
/// Built by ``ConfigLoader``; plain values that the commands map into each module's `Configuration`.
struct SidecarConfig: Sendable {
    /// The file it was read from (absolute), `nil` when built without one.
    var file: String?
    /// `scope`: the cluster name.
    var scope: String
    /// `name`: this node's name.
    var name: String
    /// `namespace`: DCS key prefix, always starting and ending with `/`.
    var namespace: String = "/service/"
    /// `loop_wait`: length of one daemon cycle.
    var loopWait: Duration = .seconds(10)
    /// `ttl`: lease TTL of the member and leader keys.
    var ttl: Duration = .seconds(30)
    /// `retry_timeout`: deadline of one DCS call.
    var retryTimeout: Duration = .seconds(10)
    /// `etcd3`: use etcd v3; `nil` means the embedded local DCS.
    var etcd: EtcdSettings?
    /// `tags`.
    var tags = NodeTags()
    /// `postgresql`.
    var postgresql: PostgresqlSettings
    /// `bootstrap`; `nil` when the file has no `bootstrap` section (this node never bootstraps a cluster).
    var bootstrap: BootstrapSettings?
    /// `sidecar`: sidecar's own settings.
    var sidecar: SidecarSettings

    /// Which DCS the node uses, in words for people: `etcd3 (http://a:2379, ...)` or `local (<path>)`.
    var dcsSummary: String {
        if let etcd {
            return "etcd3 (" + etcd.hosts.map { "\(etcd.protocolName)://\($0)" }.joined(separator: ", ") + ")"
        }
        return "local (\(sidecar.localDCSPath))"
    }

    /// The wall-clock limit of one run of method `name`: `sidecar.methods.<name>.timeout`, else `sidecar.hook_timeout`.
    func timeout(ofMethod name: String) -> Duration? {
        sidecar.methodTimeouts[name] ?? sidecar.hookTimeout
    }

    /// The replica chain in order, each method with its timeout (`basebackup` as a section-less method).
    var chain: [HookMethod] {
        postgresql.chain.map { method in
            var method = method
            method.timeout = timeout(ofMethod: method.name)
            return method
        }
    }

    /// The custom bootstrap method with its timeout, `nil` for initdb or without a `bootstrap` section.
    var bootstrapMethod: HookMethod? {
        guard var method = bootstrap?.customMethod else { return nil }
        method.timeout = timeout(ofMethod: method.name)
        return method
    }
}

/// `etcd3:` as written (the lead maps it into the etcd driver's configuration).
struct EtcdSettings: Sendable, Equatable {
    /// `host:port` of each member, tried in turn (`host`, or `hosts` as a list or a comma-separated string).
    var hosts: [String]
    /// `protocol`: `http` or `https`.
    var protocolName = "http"
    var cacert: String?
    var cert: String?
    var key: String?
    var username: String?
    var password: String?
}

/// `tags:`; the two sidecar reads, and the rest kept for the member key.
struct NodeTags: Sendable, Equatable {
    /// `clonefrom`: other replicas may clone from this node.
    var clonefrom = false
    /// `nofailover`: this node never bootstraps a cluster.
    var nofailover = false
    /// Every tag in YAML order, the two above included, for publishing in the member key.
    var all: [HookParameter] = []
}

/// One option for `initdb` or `pg_basebackup`: `--name` or `--name=value`.
struct ToolOption: Sendable, Hashable {
    var name: String
    var value: String?

    /// The argv element.
    var argument: String { value.map { "--\(name)=\($0)" } ?? "--\(name)" }
}

/// `sidecar.after_imaging`: what happens to a verified instance.
enum AfterImaging: String, Sendable, CaseIterable {
    /// Leave it running.
    case running
    /// Shut it down cleanly; a separate PostgreSQL container starts it.
    case stopped
}
