import Hooks
import Yams

/// `bootstrap:`: the method and its section, initdb options, pg_hba, post_bootstrap and the initial `/config`.
extension ConfigLoader {
    mutating func readBootstrap(_ node: Node?) -> BootstrapSettings? {
        guard let node else { return nil }
        var settings = BootstrapSettings()
        guard let section = mapping(node, at: "bootstrap") else { return Self.isNull(node) ? settings : nil }

        if let method = string(section["method"], at: "bootstrap.method"), !method.isEmpty {
            settings.method = method
        }
        if settings.method != "initdb" {
            settings.customMethod = readBootstrapMethod(settings.method, section: section)
        }
        if let initdb = section["initdb"] {
            settings.initdbOptions = readToolOptions(initdb, at: "bootstrap.initdb", owned: Self.initdbOwnedOptions, tool: "initdb")
        }
        if let hba = section["pg_hba"], !Self.isNull(hba) {
            if case .sequence(let lines) = hba {
                for (index, line) in lines.enumerated() {
                    if let text = string(line, at: "bootstrap.pg_hba[\(index)]") { settings.pgHba.append(text) }
                }
            } else {
                problems.append(ConfigProblem("bootstrap.pg_hba", "is not a list: write one - line per pg_hba.conf entry"))
            }
        }
        for key in ["post_bootstrap", "post_init"] {
            guard let command = string(section[key], at: "bootstrap.\(key)"), !command.isEmpty else { continue }
            do {
                _ = try CommandWords.split(command)
                settings.postBootstrap = command
            } catch {
                problems.append(ConfigProblem("bootstrap.\(key)", error.message))
            }
            break
        }
        if let dcs = mapping(section["dcs"], at: "bootstrap.dcs") {
            settings.dcs = .map(Self.parameters(dcs))
        }
        return settings
    }

    /// The section named by `bootstrap.method`: it must exist, be a map and have a `command` (unlike Patroni,
    /// which silently falls back to initdb).
    private mutating func readBootstrapMethod(_ name: String, section: ConfigMap) -> HookMethod? {
        let path = "bootstrap.\(name)"
        let missing = "'\(name)' has no section \(path) with a command: add \(path).command, or remove bootstrap.method to use initdb"
        guard let node = section[name], !Self.isNull(node) else {
            problems.append(ConfigProblem("bootstrap.method", missing))
            return nil
        }
        guard let map = mapping(node, at: path, fix: "a method section is a map (command: ..., recovery_conf: ...), not a list") else {
            return nil
        }
        guard let method = readMethod(name, section: map, at: path, commandRequired: true), method.command?.isEmpty == false else {
            problems.append(ConfigProblem("bootstrap.method", missing))
            return nil
        }
        if let recovery = map["recovery_conf"], !Self.isNull(recovery), case .sequence = recovery {
            problems.append(ConfigProblem("\(path).recovery_conf", "is a list: write it as a map of recovery setting: value"))
        } else if let recovery = map["recovery_conf"], case .scalar = recovery, !Self.isNull(recovery) {
            problems.append(ConfigProblem("\(path).recovery_conf", "is a single value: write it as a map of recovery setting: value"))
        }
        return method
    }
}
