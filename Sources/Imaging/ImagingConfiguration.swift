import Foundation
import Hooks
import Postgres

/// Everything the imaging pipelines need, typed, with SPEC §1's defaults. Built by `Sidecar` from the YAML.
public struct ImagingConfiguration: Sendable {
    public var scope: String
    public var name: String
    /// `sidecar.state_dir`: job database, pgpass, hook logs.
    public var stateDirectory: String
    /// `sidecar.hooks_dir`: where relative hook commands are found; the hooks' working directory.
    public var hooksDirectory: String
    /// `loop_wait`.
    public var loopWait: Duration = .seconds(10)
    /// The `bootstrap` section; `nil` when the configuration has none (such a node never bootstraps).
    public var bootstrap: BootstrapConfiguration?
    /// `postgresql.create_replica_methods`, in order.
    public var chain: [HookMethod] = [HookMethod(name: "basebackup")]
    /// `sidecar.basebackup.retries` and `.retry_wait`.
    public var basebackupRetries: Int = 2
    public var basebackupRetryWait: Duration = .seconds(5)
    /// `sidecar.replica.max_cycles` and `.backoff_max`.
    public var maxCycles: Int?
    public var backoffMax: Duration?
    /// `sidecar.keep_failed`.
    public var keepFailed: Int = 1
    /// `sidecar.after_imaging`.
    public var afterImaging: AfterImaging = .running
    /// `sidecar.hook_timeout`; a method's own `sidecar.methods.<name>.timeout` (on its ``HookMethod``) wins.
    public var hookTimeout: Duration?
    /// Time between SIGTERM and SIGKILL when a hook is stopped.
    public var hookGrace: Duration = .seconds(10)
    /// `sidecar.retention`: finished jobs older than this are pruned (checked once an hour); `nil` keeps everything.
    public var retention: Duration? = .seconds(90 * 86_400)
    /// `sidecar.output_tail`: bytes of stdout and of stderr kept per attempt.
    public var outputTail: Int = 64 * 1024
    /// `tags.clonefrom`, `tags.nofailover`, and the other tags as published.
    public var clonefrom: Bool = false
    public var nofailover: Bool = false
    public var tags: [String: String] = [:]
    /// The HTTP address published as the member's `api_url`.
    public var apiURL: String?
    /// `postgresql.*`.
    public var postgres: PostgresConfiguration

    public init(scope: String, name: String, stateDirectory: String, hooksDirectory: String, postgres: PostgresConfiguration) {
        self.scope = scope
        self.name = name
        self.stateDirectory = stateDirectory
        self.hooksDirectory = hooksDirectory
        self.postgres = postgres
    }

    /// The wall-clock limit of one run of `method`.
    public func timeout(for method: HookMethod) -> Duration? {
        method.timeout ?? hookTimeout
    }

    /// Where the output of one attempt is appended.
    public func logPath(jobID: Int64, attemptID: Int64) -> String {
        "\(stateDirectory)/logs/\(jobID)/\(attemptID).log"
    }

    /// The chain as the decision sees it.
    public var decider: ImagingDecider {
        ImagingDecider(
            node: name, nofailover: nofailover, hasBootstrap: bootstrap != nil,
            chain: chain.map { ImagingDecider.ChainEntry(name: $0.name, noLeader: $0.noLeader) })
    }
}

/// `sidecar.after_imaging`.
public enum AfterImaging: String, Sendable {
    /// Leave the verified instance running.
    case running
    /// Shut it down cleanly (a separate PostgreSQL container starts it).
    case stopped
}

/// The `bootstrap` section.
public struct BootstrapConfiguration: Sendable {
    /// `bootstrap.method`: `initdb` or the name of a custom section.
    public var method: String = "initdb"
    /// The custom method's section (`nil` for initdb).
    public var custom: HookMethod?
    /// `bootstrap.initdb` options.
    public var initdbOptions: [CommandOption] = []
    /// `bootstrap.pg_hba` lines to append.
    public var pgHBA: [String] = []
    /// `bootstrap.post_bootstrap` (alias `post_init`).
    public var postBootstrap: String?
    /// `bootstrap.dcs` as JSON, written to `/config` if absent.
    public var dcsConfigJSON: String?
    /// `sidecar.bootstrap.recovery_timeout`: limit of the wait for a custom bootstrap's recovery; `nil` = none.
    public var recoveryTimeout: Duration?
    /// `sidecar.bootstrap.max_attempts`: stop racing after this many failed bootstraps of this node.
    public var maxAttempts: Int?

    public init() {}
}
