extension PostgresConfiguration {
    /// The programs of ``binDirectory`` with sidecar's own environment (minus `PG*`).
    public var binaries: PostgresBinaries { PostgresBinaries(directory: binDirectory) }

    /// The data dir as a ``DataDirectory``.
    public var data: DataDirectory { DataDirectory(path: dataDirectory) }

    /// `pg_ctl` for the data dir with `pg_ctl_timeout`.
    public var pgCtl: PgCtl { PgCtl(binaries: binaries, dataDirectory: dataDirectory, timeout: pgCtlTimeout) }

    /// psql as the superuser over the local socket (``socketDirectory``, or the build's default) on the `listen` port.
    public var localPsql: Psql { Psql(binaries: binaries, host: socketDirectory, port: listen.port, user: superuser.username) }

    /// The connstring for cloning from `source` as the replication role (SPEC §5.1); no password.
    public func replicationConnstring(to source: HostPort) -> Connstring {
        Connstring(source: source, role: replication)
    }

    /// The superuser's connstring over the local socket, for `post_bootstrap` (SPEC §4.5); no password.
    public var localSuperuserConnstring: Connstring {
        var pairs = [Connstring.Pair("dbname", "postgres"), Connstring.Pair("user", superuser.username)]
        if let socketDirectory { pairs.append(Connstring.Pair("host", socketDirectory)) }
        pairs.append(Connstring.Pair("port", String(listen.port)))
        return Connstring(pairs: pairs)
    }

    /// The pgpass content sidecar writes to ``pgpassPath``: the replication role for `source` (when cloning) and the
    /// superuser for the local socket (`localhost` matches the default socket directory), each only with a password.
    public func pgpass(source: HostPort?) -> PgPass {
        var entries: [PgPass.Entry] = []
        if let source, let password = replication.password {
            entries.append(PgPass.Entry(host: source.host, port: source.port, user: replication.username, password: password))
        }
        if let password = superuser.password {
            entries.append(PgPass.Entry(host: socketDirectory ?? "localhost", port: listen.port, user: superuser.username, password: password))
        }
        return PgPass(entries: entries)
    }
}
