import Foundation

/// Where the state dir is, for commands that need only it (`sidecar jobs ...`): `--state-dir`; else the config's
/// `sidecar.state_dir` (relative to the config file's directory), or `.sidecar` next to the config file.
///
/// It reads just that one key (``ConfigLoader/stateDirectory(file:)``), so that `sidecar jobs list` still works
/// while the rest of the configuration has a problem to fix.
enum StateDirectory {
    /// The absolute state dir. Throws `CLIError` (exit 64) when neither a state dir nor a config file is given,
    /// the config file cannot be read, or its `sidecar.state_dir` is not a path.
    static func resolve(_ global: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> String {
        let loader = ConfigLoader(environment: environment, overrides: global.overrides)
        return try loader.stateDirectory(file: global.configPath(environment: environment))
    }
}
