extension DataDirectory {
    /// The sidecar-owned file with `postgresql.parameters`, `listen_addresses` and `port`, included by `postgresql.conf`.
    public static let parametersFileName = "sidecar.conf"

    /// Writes `postgresql.parameters` and then `listen`'s `listen_addresses` and `port` (so `listen` wins) into
    /// ``parametersFileName`` atomically with mode 0600, and makes `postgresql.conf` include it (one line, added once).
    ///
    /// Settings made with `ALTER SYSTEM` (`postgresql.auto.conf`) still win, as in PostgreSQL. Throws ``PostgresError`` `io`.
    public func writeParameters(_ parameters: [ConfigParameter], listen: HostPort?) throws {
        var settings = parameters
        if let listen {
            settings.removeAll { $0.name == "listen_addresses" || $0.name == "port" }
            settings.append(ConfigParameter("listen_addresses", listen.host))
            settings.append(ConfigParameter("port", String(listen.port)))
        }
        let text =
            "# Written by sidecar from postgresql.parameters and postgresql.listen; it is rewritten, do not edit.\n"
            + settings.map { $0.line + "\n" }.joined()
        try AtomicFile.write(text, to: file(Self.parametersFileName))
        try ConfigurationFile.ensureIncludes([Self.parametersFileName], in: self)
    }
}
