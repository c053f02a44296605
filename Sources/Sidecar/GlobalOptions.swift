import ArgumentParser
import Foundation

/// Options every command shares: where the configuration and the state live.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The YAML configuration (default: $SIDECAR_CONFIG).")
    var config: String?

    @Option(name: .long, help: "The state directory (job database, pgpass, hook logs); overrides the configuration.")
    var stateDir: String?

    /// The configuration file named by `--config` or `SIDECAR_CONFIG`, if any.
    var configPath: String? {
        config ?? ProcessInfo.processInfo.environment["SIDECAR_CONFIG"]
    }
}
