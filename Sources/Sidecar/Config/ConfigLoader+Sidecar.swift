import Yams

/// The `sidecar:` section: every key known, unknown keys are errors.
extension ConfigLoader {
    static let sidecarKeys = [
        "state_dir", "hooks_dir", "dcs", "listen", "api_token", "hook_timeout", "methods", "basebackup", "replica", "bootstrap",
        "output_tail", "keep_failed", "after_imaging", "retention", "hook_grace", "job_lease",
    ]

    mutating func readSidecar(_ node: Node?) -> SidecarSettings {
        let section = mapping(node, at: "sidecar") ?? ConfigMap(entries: [])
        rejectUnknownKeys(section, at: "sidecar", known: Self.sidecarKeys)

        let stateDir: String
        if let flag = overrides.stateDir, !flag.isEmpty {
            stateDir = Self.absolute(flag, base: currentDirectory)
        } else {
            stateDir = filePath(string(section["state_dir"], at: "sidecar.state_dir") ?? ".sidecar")
        }
        let hooksDir = filePath(string(section["hooks_dir"], at: "sidecar.hooks_dir") ?? "hooks.d")
        var settings = SidecarSettings(stateDir: stateDir, hooksDir: hooksDir, localDCSPath: stateDir + "/dcs.sqlite")

        if let dcs = mapping(section["dcs"], at: "sidecar.dcs") {
            rejectUnknownKeys(dcs, at: "sidecar.dcs", known: ["local"])
            if let local = mapping(dcs["local"], at: "sidecar.dcs.local") {
                rejectUnknownKeys(local, at: "sidecar.dcs.local", known: ["path"])
                if let path = string(local["path"], at: "sidecar.dcs.local.path") {
                    settings.localDCSPath = filePath(path)
                }
            }
        }
        if let listen = string(section["listen"], at: "sidecar.listen") {
            if Self.isHostPort(listen) {
                settings.listen = listen
            } else {
                problems.append(ConfigProblem("sidecar.listen", "'\(listen)' is not host:port: write e.g. 127.0.0.1:8009"))
            }
        }
        settings.apiToken = string(section["api_token"], at: "sidecar.api_token")
        if settings.apiToken?.isEmpty == true {
            problems.append(ConfigProblem("sidecar.api_token", "is empty: set a long random token, or remove the key to disable POST /reinit"))
        }
        if let colon = settings.listen.lastIndex(of: ":"), settings.apiToken == nil,
            !ListenAddress.isLoopback(host: String(settings.listen[..<colon]))
        {
            problems.append(
                ConfigProblem(
                    "sidecar.listen",
                    "'\(settings.listen)' is reachable from other machines but sidecar.api_token is not set: "
                        + "listen on 127.0.0.1, or set sidecar.api_token"))
        }
        settings.hookTimeout = duration(section["hook_timeout"], at: "sidecar.hook_timeout", minimum: .seconds(1))
        settings.hookGrace = duration(section["hook_grace"], at: "sidecar.hook_grace") ?? settings.hookGrace
        settings.jobLease = duration(section["job_lease"], at: "sidecar.job_lease", minimum: .seconds(1)) ?? settings.jobLease
        if let methods = mapping(section["methods"], at: "sidecar.methods") {
            for (method, value) in methods.entries {
                let path = "sidecar.methods.\(method)"
                guard let options = mapping(value, at: path) else { continue }
                rejectUnknownKeys(options, at: path, known: ["timeout"])
                if let timeout = duration(options["timeout"], at: "\(path).timeout", minimum: .seconds(1)) {
                    settings.methodTimeouts[method] = timeout
                }
            }
        }
        if let basebackup = mapping(section["basebackup"], at: "sidecar.basebackup") {
            rejectUnknownKeys(basebackup, at: "sidecar.basebackup", known: ["retries", "retry_wait"])
            settings.basebackupRetries = integer(basebackup["retries"], at: "sidecar.basebackup.retries", minimum: 1) ?? settings.basebackupRetries
            settings.basebackupRetryWait = duration(basebackup["retry_wait"], at: "sidecar.basebackup.retry_wait") ?? settings.basebackupRetryWait
        }
        if let replica = mapping(section["replica"], at: "sidecar.replica") {
            rejectUnknownKeys(replica, at: "sidecar.replica", known: ["max_cycles", "backoff_max"])
            settings.replicaMaxCycles = integer(replica["max_cycles"], at: "sidecar.replica.max_cycles", minimum: 1)
            settings.replicaBackoffMax = duration(replica["backoff_max"], at: "sidecar.replica.backoff_max", minimum: .seconds(1))
        }
        if let bootstrap = mapping(section["bootstrap"], at: "sidecar.bootstrap") {
            rejectUnknownKeys(bootstrap, at: "sidecar.bootstrap", known: ["recovery_timeout", "max_attempts"])
            settings.bootstrapRecoveryTimeout = duration(
                bootstrap["recovery_timeout"], at: "sidecar.bootstrap.recovery_timeout", minimum: .seconds(1))
            settings.bootstrapMaxAttempts = integer(bootstrap["max_attempts"], at: "sidecar.bootstrap.max_attempts", minimum: 1)
        }
        settings.outputTail = byteCount(section["output_tail"], at: "sidecar.output_tail") ?? settings.outputTail
        settings.keepFailed = integer(section["keep_failed"], at: "sidecar.keep_failed") ?? settings.keepFailed
        if let after = choice(section["after_imaging"], at: "sidecar.after_imaging", AfterImaging.allCases.map(\.rawValue)) {
            settings.afterImaging = AfterImaging(rawValue: after) ?? .running
        }
        settings.retention = duration(section["retention"], at: "sidecar.retention", minimum: .seconds(1)) ?? settings.retention
        return settings
    }

    /// A problem for each key of `map` not in `known`, suggesting the closest known key.
    mutating func rejectUnknownKeys(_ map: ConfigMap, at path: String, known: [String]) {
        for key in map.keys where !known.contains(key) {
            let closest = known.min { Self.editDistance($0, key) < Self.editDistance($1, key) }
            let hint: String
            if let closest, Self.editDistance(closest, key) <= max(2, key.count / 3) {
                hint = "did you mean \(path).\(closest)?"
            } else {
                hint = "remove it (known: \(known.joined(separator: ", ")))"
            }
            problems.append(ConfigProblem("\(path).\(key)", "unknown setting: \(hint)"))
        }
    }

    /// `sidecar.methods.<name>` must name a method sidecar runs.
    mutating func checkMethodTimeouts(_ config: SidecarConfig) {
        var names: Set<String> = ["initdb", "basebackup", "post_bootstrap"]
        names.formUnion(config.postgresql.createReplicaMethods)
        if let bootstrap = config.bootstrap { names.insert(bootstrap.method) }
        for name in config.sidecar.methodTimeouts.keys.sorted() where !names.contains(name) {
            problems.append(
                ConfigProblem(
                    "sidecar.methods.\(name)",
                    "names no method sidecar runs: use the bootstrap method, a create_replica_methods entry, initdb, basebackup or post_bootstrap"
                )
            )
        }
    }

    /// Whether `text` is `host:port` with a port from 1 to 65535 (`[::1]:8009` accepted).
    static func isHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, let port = Int(text[text.index(after: colon)...]) else {
            return false
        }
        return (1...65535).contains(port)
    }

    /// Levenshtein distance, for "did you mean".
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
