import Foundation
import Hooks
import Yams

/// `postgresql:`: the data dir, binaries, authentication, the replica chain and its method sections.
extension ConfigLoader {
    /// `pg_basebackup` options sidecar sets itself (long names and their short letters).
    static let basebackupOwnedOptions: Set<String> = [
        "pgdata", "format", "wal-method", "xlog-method", "dbname", "host", "port", "username", "password",
        "D", "F", "X", "d", "h", "p", "U", "W",
    ]
    /// `initdb` options sidecar sets itself (Patroni refuses the same ones).
    static let initdbOwnedOptions: Set<String> = [
        "pgdata", "D", "pwfile", "nosync", "N", "sync-only", "S", "version", "V", "username", "U", "pwprompt", "W",
    ]
    /// Where an owned option's value comes from instead, for the fix in the message.
    static let ownedOptionSources: [String: String] = [
        "username": "postgresql.authentication", "U": "postgresql.authentication",
        "password": "postgresql.authentication", "W": "postgresql.authentication", "pwfile": "postgresql.authentication.superuser.password",
        "pwprompt": "postgresql.authentication.superuser.password", "pgdata": "postgresql.data_dir", "D": "postgresql.data_dir",
        "dbname": "the clone source", "host": "the clone source", "port": "the clone source", "d": "the clone source",
        "h": "the clone source", "p": "the clone source",
    ]

    mutating func readPostgresql(_ node: Node?, sidecar: SidecarSettings) -> PostgresqlSettings {
        let section = mapping(node, at: "postgresql") ?? ConfigMap(entries: [])
        var settings = PostgresqlSettings(dataDir: "", pgpass: sidecar.stateDir + "/pgpass")

        if let flag = overrides.dataDir ?? environment["SIDECAR_DATA_DIR"], !flag.isEmpty {
            settings.dataDir = Self.absolute(flag, base: currentDirectory)
        } else if let dataDir = string(section["data_dir"], at: "postgresql.data_dir"), !dataDir.isEmpty {
            settings.dataDir = filePath(dataDir)
        } else {
            problems.append(
                ConfigProblem("postgresql.data_dir", "missing: set postgresql.data_dir: <path of the data directory> (or SIDECAR_DATA_DIR)"))
        }
        if settings.dataDir == "/" || settings.dataDir == sidecar.stateDir {
            problems.append(ConfigProblem("postgresql.data_dir", "must not be / or the state dir: give PostgreSQL its own directory"))
        }
        if let binDir = string(section["bin_dir"], at: "postgresql.bin_dir"), !binDir.isEmpty {
            settings.binDir = filePath(binDir)
        } else {
            settings.binDir = defaultBinDir()
        }
        if let listen = string(section["listen"], at: "postgresql.listen") {
            settings.listen = listen
            if listen.contains(":") && !Self.isHostPort(listen) {
                problems.append(ConfigProblem("postgresql.listen", "'\(listen)' does not end in a port: write addresses:port, e.g. 0.0.0.0:5432"))
            }
        }
        if let connectAddress = string(section["connect_address"], at: "postgresql.connect_address") {
            if Self.isHostPort(connectAddress) {
                settings.connectAddress = connectAddress
            } else {
                problems.append(ConfigProblem("postgresql.connect_address", "'\(connectAddress)' is not host:port: write e.g. 10.0.0.1:5432"))
            }
        }
        if let parameters = mapping(section["parameters"], at: "postgresql.parameters") {
            settings.parameters = Self.parameters(parameters)
        }
        if let pgpass = string(section["pgpass"], at: "postgresql.pgpass"), !pgpass.isEmpty {
            settings.pgpass = filePath(pgpass)
        }
        settings.pgCtlTimeout = duration(section["pg_ctl_timeout"], at: "postgresql.pg_ctl_timeout", minimum: .seconds(1)) ?? settings.pgCtlTimeout
        if let authentication = mapping(section["authentication"], at: "postgresql.authentication") {
            settings.superuser = readRole(authentication["superuser"], at: "postgresql.authentication.superuser", default: settings.superuser)
            settings.replication = readRole(authentication["replication"], at: "postgresql.authentication.replication", default: settings.replication)
        }
        settings.createReplicaMethods = readChain(section)
        for entry in settings.createReplicaMethods where entry != "basebackup" {
            if let method = readReplicaMethod(entry, section: section[entry], hooksDir: sidecar.hooksDir) {
                settings.replicaMethods[entry] = method
            }
        }
        if let node = section["basebackup"] {
            settings.basebackupOptions = readToolOptions(node, at: "postgresql.basebackup", owned: Self.basebackupOwnedOptions, tool: "pg_basebackup")
        }
        return settings
    }

    /// `create_replica_methods`, else the old `create_replica_method`, else `[basebackup]`.
    private mutating func readChain(_ section: ConfigMap) -> [String] {
        for key in ["create_replica_methods", "create_replica_method"] {
            guard let node = section[key], !Self.isNull(node) else { continue }
            let path = "postgresql.\(key)"
            var chain: [String] = []
            if case .sequence(let list) = node {
                for (index, item) in list.enumerated() {
                    if let name = string(item, at: "\(path)[\(index)]"), !name.isEmpty { chain.append(name) }
                }
            } else if let name = string(node, at: path), !name.isEmpty {
                chain = [name]
            }
            if !chain.isEmpty { return chain }
        }
        return ["basebackup"]
    }

    /// The section of replica method `name`: a map, or absent when a hook of that name exists.
    private mutating func readReplicaMethod(_ name: String, section node: Node?, hooksDir: String) -> HookMethod? {
        let path = "postgresql.\(name)"
        guard let node, !Self.isNull(node) else {
            if !hookExists(name, hooksDir: hooksDir) {
                problems.append(
                    ConfigProblem(
                        "postgresql.create_replica_methods",
                        "'\(name)' has no section \(path) and no hook named \(name) in \(hooksDir) or on PATH: add \(path).command or put an executable \(name) in \(hooksDir)"
                    )
                )
            }
            return HookMethod(name: name)
        }
        guard let section = mapping(node, at: path, fix: "a method section is a map (command: ..., no_leader: ...), not a list") else {
            return nil
        }
        return readMethod(name, section: section, at: path, commandRequired: false)
    }

    /// A method section as a ``HookMethod``: `command` checked for splitting, every other key kept in order.
    mutating func readMethod(_ name: String, section: ConfigMap, at path: String, commandRequired: Bool) -> HookMethod? {
        var method = HookMethod(name: name)
        if let command = section["command"] {
            method.command = string(command, at: "\(path).command")
        }
        if let command = method.command {
            do {
                _ = try CommandWords.split(command)
            } catch {
                problems.append(ConfigProblem("\(path).command", "\(error.message)"))
            }
        } else if commandRequired {
            return nil
        }
        method.parameters = Self.parameters(section).filter { $0.key != "command" }
        return method
    }

    /// Options for `initdb` or `pg_basebackup`: a map, or a list of `flag` / `{key: value}`; owned options refused.
    mutating func readToolOptions(_ node: Node, at path: String, owned: Set<String>, tool: String) -> [ToolOption] {
        var options: [ToolOption] = []
        func add(_ option: ToolOption, at itemPath: String) {
            if owned.contains(option.name) {
                let source = Self.ownedOptionSources[option.name].map { " (it comes from \($0))" } ?? ""
                problems.append(ConfigProblem(itemPath, "'\(option.name)' is set by sidecar itself for \(tool)\(source): remove it"))
            } else {
                options.append(option)
            }
        }
        switch node {
        case .sequence(let list):
            for (index, item) in list.enumerated() {
                let itemPath = "\(path)[\(index)]"
                switch item {
                case .scalar(let scalar):
                    add(ToolOption(name: scalar.string), at: itemPath)
                case .mapping(let map) where map.count == 1:
                    let (key, value) = map[map.startIndex]
                    guard let valueText = Self.optionValue(value) else {
                        problems.append(ConfigProblem(itemPath, "the value of '\(key.scalar?.string ?? "")' is a list or map: write a single value"))
                        continue
                    }
                    add(ToolOption(name: key.scalar?.string ?? "", value: valueText), at: itemPath)
                default:
                    problems.append(ConfigProblem(itemPath, "is not a flag or a single key: value: write - flag or - key: value"))
                }
            }
        case .mapping:
            guard let map = mapping(node, at: path) else { return [] }
            for (key, value) in map.entries {
                let parameter = Self.parameterValue(value)
                switch parameter {
                case .bool(false, _): continue
                case .bool(true, _), .null: add(ToolOption(name: key), at: "\(path).\(key)")
                case .list, .map:
                    problems.append(ConfigProblem("\(path).\(key)", "is a list or map: write a single value"))
                default: add(ToolOption(name: key, value: parameter.rendered), at: "\(path).\(key)")
                }
            }
        case .scalar where Self.isNull(node):
            break
        default:
            problems.append(ConfigProblem(path, "is a single value: write a list of - flag / - key: value, or a map"))
        }
        return options
    }

    private static func optionValue(_ node: Node) -> String? {
        let value = parameterValue(node)
        switch value {
        case .list, .map: return nil
        default: return value.rendered
        }
    }

    /// `authentication.superuser` / `.replication`: username, password, and the ssl keys in order.
    private mutating func readRole(_ node: Node?, at path: String, default role: RoleSettings) -> RoleSettings {
        guard let section = mapping(node, at: path) else { return role }
        var result = role
        if let username = string(section["username"], at: "\(path).username"), !username.isEmpty {
            result.username = username
        }
        result.password = string(section["password"], at: "\(path).password")
        let sslKeys: Set<String> = ["gssencmode", "channel_binding"]
        for (key, value) in section.entries where key.hasPrefix("ssl") || sslKeys.contains(key) {
            if let text = string(value, at: "\(path).\(key)") {
                let isPath = ["sslkey", "sslcert", "sslrootcert", "sslcrl", "sslcrldir"].contains(key)
                result.ssl.append(HookParameter(key, .string(isPath ? filePath(text) : text)))
            }
        }
        return result
    }

    /// Whether a hook called `name` exists in `hooksDir` or on PATH (safety is checked by `config check` and at run time).
    func hookExists(_ name: String, hooksDir: String) -> Bool {
        var candidates = [hooksDir + "/" + name]
        for directory in (environment["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
            candidates.append("\(directory)/\(name)")
        }
        return candidates.contains { FileManager.default.fileExists(atPath: $0) }
    }

    /// The directory of `pg_ctl` on PATH (symlinks resolved), else the newest `<postgresqlRoot>/<version>/bin`, else `nil`.
    func defaultBinDir() -> String? {
        for directory in (environment["PATH"] ?? "").split(separator: ":") where directory.hasPrefix("/") {
            let pgCtl = "\(directory)/pg_ctl"
            if FileManager.default.isExecutableFile(atPath: pgCtl) {
                // A symlinked pg_ctl (Debian links a few binaries into /usr/local/bin) names the real bin dir.
                let real = URL(fileURLWithPath: pgCtl).resolvingSymlinksInPath().path
                return (real as NSString).deletingLastPathComponent
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: postgresqlRoot)) ?? []
        let ranked = versions.compactMap { name -> (Double, String)? in
            guard let number = Double(name), FileManager.default.isExecutableFile(atPath: "\(postgresqlRoot)/\(name)/bin/pg_ctl") else {
                return nil
            }
            return (number, "\(postgresqlRoot)/\(name)/bin")
        }
        return ranked.max { $0.0 < $1.0 }?.1
    }
}
