import Hooks

/// `postgresql:` as sidecar uses it.
struct PostgresqlSettings: Sendable {
    /// `data_dir`.
    var dataDir: String
    /// `bin_dir`: as written, else the real directory of `pg_ctl` on PATH, else the newest `/usr/lib/postgresql/*/bin`;
    /// `nil` when none was found.
    var binDir: String?
    /// `listen`: `addresses:port` for `listen_addresses` and the port (`nil`: PostgreSQL's defaults).
    var listen: String?
    /// `connect_address`: `host:port` other nodes use to reach this one.
    var connectAddress: String?
    /// `parameters`: server settings, in YAML order.
    var parameters: [HookParameter] = []
    /// `pgpass`: the pgpass file sidecar writes (default `<state_dir>/pgpass`).
    var pgpass: String
    /// `pg_ctl_timeout`: how long `pg_ctl start -w` / `stop` may take.
    var pgCtlTimeout: Duration = .seconds(60)
    /// `authentication.superuser`.
    var superuser = RoleSettings(username: "postgres")
    /// `authentication.replication`.
    var replication = RoleSettings(username: "replicator")
    /// `create_replica_methods` (or the old `create_replica_method`): the chain, in order.
    var createReplicaMethods: [String] = ["basebackup"]
    /// The section of each chain entry other than `basebackup` (an entry without a section runs its name).
    var replicaMethods: [String: HookMethod] = [:]
    /// `basebackup`: extra `pg_basebackup` options, in order.
    var basebackupOptions: [ToolOption] = []

    /// The port of `listen` (5432 when absent).
    var port: Int {
        guard let listen, let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            return 5432
        }
        return port
    }

    /// `listen_addresses` from `listen` (`nil` when absent).
    var listenAddresses: String? {
        guard let listen else { return nil }
        guard let colon = listen.lastIndex(of: ":") else { return listen }
        return String(listen[..<colon])
    }

    /// The methods of the chain in order, `basebackup` as a section-less ``HookMethod``, without timeouts
    /// (``SidecarConfig/chain`` adds them).
    var chain: [HookMethod] {
        createReplicaMethods.map { replicaMethods[$0] ?? HookMethod(name: $0) }
    }
}

/// `authentication.superuser` / `.replication`.
struct RoleSettings: Sendable, Equatable {
    var username: String
    var password: String?
    /// `sslmode`, `sslkey`, `sslcert`, `sslrootcert`, `sslcrl`, ... in YAML order (for the connstring).
    var ssl: [HookParameter] = []
}

/// `bootstrap:` as sidecar uses it.
struct BootstrapSettings: Sendable {
    /// `method`: `initdb` or the name of a section with a `command`.
    var method = "initdb"
    /// The chosen custom method's section (`nil` for initdb).
    var customMethod: HookMethod?
    /// `initdb`: options in order.
    var initdbOptions: [ToolOption] = []
    /// `pg_hba`: lines appended to `pg_hba.conf`.
    var pgHba: [String] = []
    /// `post_bootstrap` (or its alias `post_init`): command run once on the new primary.
    var postBootstrap: String?
    /// `dcs`: the initial `/config` value, in YAML order (render with ``ParameterValue/json``).
    var dcs: ParameterValue?
}
