/// The environment a hook runs with (SPEC §6).
///
/// Sidecar's own environment minus every `SIDECAR_*` variable (they may carry sidecar's settings or
/// secrets), plus `PGPASSFILE` when a pgpass file is given, plus `SIDECAR_JOB_ID`, `SIDECAR_ATTEMPT` and
/// `SIDECAR_METHOD` describing the run. Pure: the caller passes the base environment.
public enum HookEnvironment {
    /// `PGOPTIONS` Patroni sets for `post_bootstrap`, so the script's statements never wait for a standby
    /// and never time out. Pass it as `extra` when running post_bootstrap.
    public static let postBootstrapExtra: [String: String] = ["PGOPTIONS": "-c synchronous_commit=local -c statement_timeout=0"]

    /// The complete environment of one hook run.
    /// - Parameters:
    ///   - base: sidecar's own environment (usually `ProcessInfo.processInfo.environment`).
    ///   - pgpassFile: path of the pgpass file to announce as `PGPASSFILE`, if any.
    ///   - jobID, attempt, method: what the run belongs to.
    ///   - extra: further variables (e.g. ``postBootstrapExtra``), set last.
    public static func build(
        base: [String: String],
        pgpassFile: String? = nil,
        jobID: String,
        attempt: Int,
        method: String,
        extra: [String: String] = [:]
    ) -> [String: String] {
        var environment = base.filter { !$0.key.hasPrefix("SIDECAR_") }
        if let pgpassFile {
            environment["PGPASSFILE"] = pgpassFile
        }
        environment["SIDECAR_JOB_ID"] = jobID
        environment["SIDECAR_ATTEMPT"] = String(attempt)
        environment["SIDECAR_METHOD"] = method
        for (name, value) in extra {
            environment[name] = value
        }
        return environment
    }
}
