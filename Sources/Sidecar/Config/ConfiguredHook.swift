import Hooks

/// A hook the configuration will run, with where its command resolves to (for `config check` and `plan`).
struct ConfiguredHook: Sendable {
    /// What it is for: `bootstrap`, `replica`, `post_bootstrap`.
    var role: String
    /// The method name (`wal_e`), or `post_bootstrap`.
    var method: String
    /// Key path of its command (`postgresql.wal_e.command`).
    var keyPath: String
    /// The command line as written (or the method name).
    var command: String
    /// The file it resolves to, or why it would not run.
    var resolution: HookResolution

    /// Every hook of `config` in the order sidecar would use them: bootstrap method, chain, post_bootstrap.
    /// `path` is the `PATH` to search for bare names.
    static func all(in config: SidecarConfig, path: String?) -> [ConfiguredHook] {
        let resolver = HookResolver(hooksDirectory: config.sidecar.hooksDir, path: path)
        var hooks: [ConfiguredHook] = []
        func add(_ role: String, _ method: String, _ keyPath: String, _ command: String) {
            let resolution: HookResolution
            do {
                resolution = resolver.resolve(try CommandWords.split(command)[0])
            } catch {
                resolution = .rejected(reason: error.message)
            }
            hooks.append(ConfiguredHook(role: role, method: method, keyPath: keyPath, command: command, resolution: resolution))
        }
        if let bootstrap = config.bootstrap, let method = bootstrap.customMethod {
            add("bootstrap", method.name, "bootstrap.\(method.name).command", method.commandLine)
        }
        for method in config.postgresql.chain where method.name != "basebackup" {
            let keyPath = method.command == nil ? "postgresql.create_replica_methods" : "postgresql.\(method.name).command"
            add("replica", method.name, keyPath, method.commandLine)
        }
        if let command = config.bootstrap?.postBootstrap {
            add("post_bootstrap", "post_bootstrap", "bootstrap.post_bootstrap", command)
        }
        return hooks
    }
}
