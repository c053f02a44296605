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
        configPath(environment: ProcessInfo.processInfo.environment)
    }

    /// The configuration file named by `--config` or `SIDECAR_CONFIG` in `environment`, if any.
    func configPath(environment: [String: String]) -> String? {
        if let config, !config.isEmpty { return config }
        if let path = environment["SIDECAR_CONFIG"], !path.isEmpty { return path }
        return nil
    }

    /// The flags that override the configuration file.
    var overrides: ConfigOverrides {
        ConfigOverrides(stateDir: stateDir)
    }

    /// Loads and validates the configuration. Throws ``CLIError`` (exit 64) listing every problem, one per line.
    func loadConfig(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> SidecarConfig {
        try loadConfigResult(environment: environment).get()
    }

    /// Loads the configuration and returns it with every problem found; never throws.
    func loadConfigResult(environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigLoadResult {
        guard let path = configPath(environment: environment) else {
            let problem = ConfigProblem("", "no configuration file: pass --config FILE or set SIDECAR_CONFIG")
            return ConfigLoadResult(config: nil, problems: [problem])
        }
        return ConfigLoader(environment: environment, overrides: overrides).load(file: path)
    }
}
