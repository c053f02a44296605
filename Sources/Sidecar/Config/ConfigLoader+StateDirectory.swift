import Foundation
import Yams

/// Just the state dir, for commands that need nothing else (`sidecar jobs ...` keep working while the rest of
/// the configuration has a problem to fix).
extension ConfigLoader {
    /// The absolute state dir: ``overrides`` `stateDir` (relative to ``currentDirectory``), else the file's
    /// `sidecar.state_dir` (relative to the file's directory), else `.sidecar` next to the file.
    /// Throws ``CLIError`` (exit 64) when the file cannot be read, is not YAML, or `sidecar.state_dir` is not a path.
    func stateDirectory(file path: String?) throws(CLIError) -> String {
        if let flag = overrides.stateDir, !flag.isEmpty {
            return Self.absolute(flag, base: currentDirectory)
        }
        guard let path else {
            throw CLIError("no --config or --state-dir: pass one (or set SIDECAR_CONFIG)", exitCode: CLIError.usage)
        }
        let file = Self.absolute(path, base: currentDirectory)
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw CLIError("cannot read the configuration \(file): check the path and its permissions", exitCode: CLIError.usage)
        }
        var loader = self
        loader.baseDirectory = (file as NSString).deletingLastPathComponent
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            throw CLIError("\(file) is not valid YAML: run 'sidecar config check --config \(file)'", exitCode: CLIError.usage)
        }
        let top = root.flatMap { loader.mapping($0, at: "") }
        let sidecar = loader.mapping(top?["sidecar"], at: "sidecar")
        let stateDir = loader.string(sidecar?["state_dir"], at: "sidecar.state_dir")
        if let problem = loader.problems.first {
            throw CLIError("\(problem): run 'sidecar config check --config \(file)'", exitCode: CLIError.usage)
        }
        return loader.filePath(stateDir.flatMap { $0.isEmpty ? nil : $0 } ?? ".sidecar")
    }
}
