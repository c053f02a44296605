/// `sidecar:`: sidecar's own settings (Patroni ignores this section).
struct SidecarSettings: Sendable {
    /// `state_dir`: job database, pgpass and hook logs (default `.sidecar` next to the config).
    var stateDir: String
    /// `hooks_dir`: where relative hook commands are found (default `hooks.d` next to the config).
    var hooksDir: String
    /// `dcs.local.path`: the embedded DCS file (default `<state_dir>/dcs.sqlite`).
    var localDCSPath: String
    /// `listen`: HTTP status and metrics address.
    var listen = "127.0.0.1:8009"
    /// `api_token`: bearer token that enables `POST /reinit`; `nil` disables it.
    var apiToken: String?
    /// `hook_timeout`: wall-clock limit of every hook run (`nil`: none, as in Patroni).
    var hookTimeout: Duration?
    /// `hook_grace`: time between SIGTERM and SIGKILL when a hook is stopped (timeout, cancel, daemon stopping).
    var hookGrace: Duration = .seconds(10)
    /// `job_lease`: how long a running job's claim holds without renewal; renewed every third of it, which is also
    /// how soon `sidecar jobs cancel` reaches a running hook. After a crash another process may take the job back
    /// once it runs out.
    var jobLease: Duration = .seconds(30)
    /// `methods.<name>.timeout`: per-method limits, winning over `hook_timeout`.
    var methodTimeouts: [String: Duration] = [:]
    /// `basebackup.retries`: built-in basebackup attempts per chain pass.
    var basebackupRetries = 2
    /// `basebackup.retry_wait`: pause between them.
    var basebackupRetryWait: Duration = .seconds(5)
    /// `replica.max_cycles`: give up after this many failed chain passes (`nil`: never).
    var replicaMaxCycles: Int?
    /// `replica.backoff_max`: cap of the growing wait between passes (`nil`: `loop_wait`, no growth).
    var replicaBackoffMax: Duration?
    /// `bootstrap.recovery_timeout`: limit on the recovery of a custom bootstrap (`nil`: none).
    var bootstrapRecoveryTimeout: Duration?
    /// `bootstrap.max_attempts`: stop racing for bootstrap after this many failures (`nil`: never).
    var bootstrapMaxAttempts: Int?
    /// `output_tail`: bytes of stdout and of stderr kept per attempt.
    var outputTail = 64 * 1024
    /// `keep_failed`: failed data dirs kept as `<data_dir>.failed[.N]`.
    var keepFailed = 1
    /// `after_imaging`.
    var afterImaging = AfterImaging.running
    /// `retention`: audit history older than this is pruned.
    var retention: Duration = .seconds(90 * 86_400)
}
