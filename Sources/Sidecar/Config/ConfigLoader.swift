import Foundation
import Hooks
import Yams

/// Reads SPEC §1's YAML into a validated ``SidecarConfig``, collecting every problem instead of stopping at the first.
///
/// Precedence: ``overrides`` (flags) > `SIDECAR_SCOPE`, `SIDECAR_NAME`, `SIDECAR_DATA_DIR`, `SIDECAR_ETCD_HOSTS` in
/// ``environment`` > the file > defaults. Relative paths in the file are relative to the file's directory;
/// relative paths in flags and the environment to ``currentDirectory``. Nothing here reads the process
/// environment: the caller passes it, so tests never mutate it.
struct ConfigLoader {
    /// The environment to read `SIDECAR_*` overrides and `PATH` from.
    var environment: [String: String]
    /// Command-line flags.
    var overrides = ConfigOverrides()
    /// Where to look for `*/bin` when `postgresql.bin_dir` is not set and `pg_ctl` is not on PATH.
    var postgresqlRoot = "/usr/lib/postgresql"
    /// Base of relative paths given by flags or the environment.
    var currentDirectory = FileManager.default.currentDirectoryPath

    /// Problems found so far (working state of one load).
    var problems: [ConfigProblem] = []
    /// Directory relative paths of the file are resolved against (working state of one load).
    var baseDirectory = "/"

    init(environment: [String: String], overrides: ConfigOverrides = ConfigOverrides()) {
        self.environment = environment
        self.overrides = overrides
    }

    /// Loads and validates the file at `path`. Never throws: an unreadable file is a problem in the result.
    func load(file path: String) -> ConfigLoadResult {
        let absolute = Self.absolute(path, base: currentDirectory)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            let problem = ConfigProblem("", "cannot read configuration file \(absolute): check the path given by --config or SIDECAR_CONFIG")
            return ConfigLoadResult(config: nil, problems: [problem])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return ConfigLoadResult(config: nil, problems: [ConfigProblem("", "\(absolute) is not UTF-8 text: save it as UTF-8")])
        }
        return load(yaml: text, file: absolute)
    }

    /// Loads and validates YAML text; `file` (absolute) names it and anchors its relative paths.
    func load(yaml: String, file: String?) -> ConfigLoadResult {
        var loader = self
        loader.problems = []
        loader.baseDirectory = file.map { ($0 as NSString).deletingLastPathComponent } ?? currentDirectory
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            let where_ = file ?? "the configuration"
            let detail = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            return ConfigLoadResult(config: nil, problems: [ConfigProblem("", "\(where_) is not valid YAML (\(detail)): fix the syntax")])
        }
        let config = loader.build(root: root, file: file)
        return ConfigLoadResult(config: loader.problems.isEmpty ? config : nil, problems: loader.problems)
    }

    /// Top-level keys of Patroni's that select a DCS sidecar does not support.
    static let unsupportedDCSKeys = ["etcd", "consul", "zookeeper", "exhibitor", "kubernetes", "raft"]

    private mutating func build(root: Node?, file: String?) -> SidecarConfig? {
        let top: ConfigMap
        if let root {
            guard let map = mapping(root, at: "") else { return nil }
            top = map
        } else {
            top = ConfigMap(entries: [])
        }
        let scope = required("scope", flag: overrides.scope, variable: "SIDECAR_SCOPE", node: top["scope"], fix: "the cluster name")
        let name = required("name", flag: overrides.name, variable: "SIDECAR_NAME", node: top["name"], fix: "this node's name")

        var config = SidecarConfig(
            file: file,
            scope: scope ?? "",
            name: name ?? "",
            postgresql: PostgresqlSettings(dataDir: "", pgpass: ""),
            sidecar: SidecarSettings(stateDir: "", hooksDir: "", localDCSPath: "")
        )
        if let namespace = string(top["namespace"], at: "namespace") {
            config.namespace = (namespace.hasPrefix("/") ? "" : "/") + namespace + (namespace.hasSuffix("/") ? "" : "/")
        }
        config.loopWait = duration(top["loop_wait"], at: "loop_wait", minimum: .seconds(1)) ?? config.loopWait
        config.ttl = duration(top["ttl"], at: "ttl", minimum: .seconds(1)) ?? config.ttl
        config.retryTimeout = duration(top["retry_timeout"], at: "retry_timeout", minimum: .seconds(1)) ?? config.retryTimeout

        config.sidecar = readSidecar(top["sidecar"])
        config.etcd = readEtcd(top["etcd3"])
        if config.etcd == nil {
            for key in Self.unsupportedDCSKeys where top[key] != nil {
                let fix =
                    key == "etcd"
                    ? "use an etcd3 section with the same hosts (sidecar speaks only the v3 API)"
                    : "use etcd3, or no DCS section for the embedded local DCS"
                problems.append(ConfigProblem(key, "this DCS is not supported by sidecar: \(fix)"))
            }
        }
        config.tags = readTags(top["tags"])
        config.postgresql = readPostgresql(top["postgresql"], sidecar: config.sidecar)
        config.bootstrap = readBootstrap(top["bootstrap"])
        checkMethodTimeouts(config)
        return config
    }

    /// A required string: the flag, else the environment variable, else the file; a problem when none has it.
    mutating func required(_ key: String, flag: String?, variable: String, node: Node?, fix: String) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        let before = problems.count
        if let value = string(node, at: key), !value.isEmpty { return value }
        if problems.count == before {
            problems.append(ConfigProblem(key, "missing: set \(key): <\(fix)> in the file (or \(variable))"))
        }
        return nil
    }

    /// `path` made absolute against `base`, with `.` and `..` components removed.
    static func absolute(_ path: String, base: String) -> String {
        let joined = path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base + path : base + "/" + path)
        return (joined as NSString).standardizingPath
    }

    /// A path from the file, made absolute against the file's directory.
    func filePath(_ path: String) -> String {
        Self.absolute(path, base: baseDirectory)
    }
}
