import Foundation
import Yams

/// Where the state dir is, for commands that need only it (`sidecar jobs ...`): `--state-dir`; else the config's
/// `sidecar.state_dir` (relative to the config file's directory), or `.sidecar` next to the config file.
///
/// It reads just that one key, so that `sidecar jobs list` still works while the rest of the configuration has a
/// problem to fix.
enum StateDirectory {
    /// The absolute state dir. Throws `CLIError` (exit 64) when neither a state dir nor a config file is given,
    /// or the config file cannot be read.
    static func resolve(_ global: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) -> String {
        let currentDirectory = FileManager.default.currentDirectoryPath
        if let flag = global.stateDir, !flag.isEmpty {
            return ConfigLoader.absolute(flag, base: currentDirectory)
        }
        guard let configPath = global.configPath(environment: environment) else {
            throw CLIError("no --config or --state-dir: pass one (or set SIDECAR_CONFIG)", exitCode: CLIError.usage)
        }
        let configFile = ConfigLoader.absolute(configPath, base: currentDirectory)
        let configDirectory = (configFile as NSString).deletingLastPathComponent
        guard let text = try? String(contentsOfFile: configFile, encoding: .utf8) else {
            throw CLIError("cannot read the configuration \(configFile); check the path and its permissions", exitCode: CLIError.usage)
        }
        let stateDir: String
        do {
            let document = try Yams.load(yaml: text) as? [String: Any]
            let sidecar = document?["sidecar"] as? [String: Any]
            stateDir = (sidecar?["state_dir"] as? String) ?? ".sidecar"
        } catch {
            throw CLIError("\(configFile) is not valid YAML; run 'sidecar config check'", exitCode: CLIError.usage)
        }
        return ConfigLoader.absolute(stateDir, base: configDirectory)
    }
}
