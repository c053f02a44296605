import Foundation

/// The `postgresql:` section as the Postgres module needs it; the Sidecar loader fills it and resolves defaults.
public struct PostgresConfiguration: Sendable {
    /// `postgresql.data_dir`.
    public var dataDirectory: String
    /// `postgresql.bin_dir`, already resolved (the loader applies PATH, then the newest `/usr/lib/postgresql/*/bin`).
    public var binDirectory: String
    /// `postgresql.listen`: `listen_addresses` and `port` of the local instance.
    public var listen: HostPort
    /// `postgresql.connect_address`: how other nodes reach this one (defaults to ``listen``).
    public var connectAddress: HostPort?
    /// `postgresql.parameters`, in YAML order.
    public var parameters: [ConfigParameter]
    /// `postgresql.pgpass` (default `<state_dir>/pgpass`).
    public var pgpassPath: String
    /// `postgresql.pg_ctl_timeout`, the `-t` of `pg_ctl start/stop -w`.
    public var pgCtlTimeout: Duration
    public var superuser: RoleCredentials
    public var replication: RoleCredentials
    /// `postgresql.basebackup`, in YAML order.
    public var basebackupOptions: [CommandOption]
    /// `sidecar.state_dir`: data dir operations refuse it and anything containing or inside it.
    public var stateDirectory: String

    public init(
        dataDirectory: String,
        binDirectory: String,
        listen: HostPort,
        connectAddress: HostPort? = nil,
        parameters: [ConfigParameter] = [],
        pgpassPath: String,
        pgCtlTimeout: Duration = .seconds(60),
        superuser: RoleCredentials,
        replication: RoleCredentials,
        basebackupOptions: [CommandOption] = [],
        stateDirectory: String
    ) {
        self.dataDirectory = dataDirectory
        self.binDirectory = binDirectory
        self.listen = listen
        self.connectAddress = connectAddress
        self.parameters = parameters
        self.pgpassPath = pgpassPath
        self.pgCtlTimeout = pgCtlTimeout
        self.superuser = superuser
        self.replication = replication
        self.basebackupOptions = basebackupOptions
        self.stateDirectory = stateDirectory
    }

    /// The first entry of the `unix_socket_directories` parameter, if set: where local connections go.
    ///
    /// `nil` means the default compiled into this PostgreSQL build; the wrappers then omit `-h` (and never inherit `PGHOST`),
    /// so libpq of the same `bin_dir` uses the same default as the server.
    public var socketDirectory: String? {
        guard let value = parameters.last(where: { $0.name == "unix_socket_directories" })?.value else { return nil }
        let first = value.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return first.isEmpty ? nil : first
    }
}
