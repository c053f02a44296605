extension DataDirectory {
    /// The sidecar-owned file with recovery settings for PostgreSQL 12 and later, included by `postgresql.conf`.
    public static let recoveryFileName = "sidecar.recovery.conf"

    /// Recovery settings that are removed from `postgresql.auto.conf` when recovery settings are removed.
    static let recoveryParameterNames: Set<String> = [
        "standby_mode", "primary_conninfo", "primary_slot_name", "restore_command", "archive_cleanup_command",
        "recovery_end_command", "recovery_target", "recovery_target_lsn", "recovery_target_name", "recovery_target_time",
        "recovery_target_xid", "recovery_target_inclusive", "recovery_target_timeline", "recovery_target_action",
        "recovery_min_apply_delay", "promote_trigger_file", "trigger_file",
    ]

    /// Writes a bootstrap method's `recovery_conf` for the data dir's major version (SPEC §4.3).
    ///
    /// ≤ 11: `recovery.conf` with every setting. ≥ 12: `standby.signal` when `standby_mode` is true, else
    /// `recovery.signal`; the settings (without `standby_mode`, which no longer exists) go into ``recoveryFileName``,
    /// which `postgresql.conf` includes. All files atomic, mode 0600. Throws ``PostgresError`` (`io`, `parse`).
    public func writeRecoveryConfiguration(_ parameters: [ConfigParameter]) throws {
        let standby = parameters.last { $0.name == "standby_mode" }?.isTrue ?? false
        try writeRecovery(parameters, standby: standby, version: try version())
    }

    /// Writes the standby configuration of SPEC §5.4: standby mode, `primary_conninfo` = the connstring with
    /// `application_name=<name>` and `passfile=<pgpass>`, and `recovery_target_timeline = 'latest'`.
    ///
    /// The connstring carries no password (``Connstring`` drops it). Throws ``PostgresError`` (`io`, `parse`).
    public func writeStandbyConfiguration(primary: Connstring, applicationName: String, passfile: String) throws {
        let conninfo = primary.appending([Connstring.Pair("application_name", applicationName), Connstring.Pair("passfile", passfile)])
        let parameters = [
            ConfigParameter("primary_conninfo", conninfo.description),
            ConfigParameter("recovery_target_timeline", "latest"),
        ]
        try writeRecovery(parameters, standby: true, version: try version())
    }

    /// Removes every recovery setting sidecar or a restore tool may have left: `recovery.conf`, both signal files,
    /// ``recoveryFileName``, and recovery parameters in `postgresql.auto.conf` (other lines are kept).
    ///
    /// Throws ``PostgresError`` `io`.
    public func removeRecoveryConfiguration() throws {
        for name in ["recovery.conf", "standby.signal", "recovery.signal", Self.recoveryFileName] {
            try AtomicFile.remove(file(name))
        }
        let autoConf = file("postgresql.auto.conf")
        guard let text = try AtomicFile.read(autoConf) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let kept = lines.filter { line in
            guard let setting = ConfigurationFile.parse(line) else { return true }
            return !Self.recoveryParameterNames.contains(setting.name)
        }
        if kept.count != lines.count {
            try AtomicFile.write(kept.joined(separator: "\n"), to: autoConf)
        }
    }

    private func writeRecovery(_ parameters: [ConfigParameter], standby: Bool, version: PostgresVersion) throws {
        if version.usesSignalFiles {
            let settings = parameters.filter { $0.name != "standby_mode" }
            let text =
                "# Written by sidecar: recovery settings, removed when recovery is no longer wanted.\n"
                + settings.map { $0.line + "\n" }.joined()
            try AtomicFile.write(text, to: file(Self.recoveryFileName))
            try ConfigurationFile.ensureIncludes([Self.recoveryFileName], in: self)
            try AtomicFile.remove(file("recovery.conf"))
            try AtomicFile.remove(file(standby ? "recovery.signal" : "standby.signal"))
            try AtomicFile.write("", to: file(standby ? "standby.signal" : "recovery.signal"))
        } else {
            var settings = parameters.filter { $0.name != "standby_mode" }
            if standby { settings.insert(ConfigParameter("standby_mode", "on"), at: 0) }
            let text = "# Written by sidecar.\n" + settings.map { $0.line + "\n" }.joined()
            try AtomicFile.write(text, to: file("recovery.conf"))
        }
    }
}
