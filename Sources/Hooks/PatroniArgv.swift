/// The argv Patroni gives its hooks, rebuilt exactly so that existing scripts run unchanged (SPEC §4.2,
/// §4.5, §5.2). Pure functions: each returns the whole argv, `argv[0]` being the first word of the command
/// as written (run it through ``HookResolver`` for the file to execute). Each parameter is one argv element,
/// `--<key>=<rendered value>` (``ParameterValue/rendered``); nothing passes through a shell.
public enum PatroniArgv {
    /// Keys of a bootstrap section that are never passed to the script.
    public static let bootstrapReservedKeys: Set<String> = [
        "command", "no_params", "keep_existing_recovery_conf", "recovery_conf", "scope", "datadir",
    ]

    /// Keys dropped from a replica method's argv when it has `no_params` (`no_master` is still passed).
    public static let replicaNoParamsDroppedKeys: Set<String> = ["no_params", "no_leader", "keep_data"]

    /// Custom bootstrap (SPEC §4.2): the words of `command`, then `--scope=` and `--datadir=` unless
    /// `no_params`, then every other key of the section in YAML order except the reserved ones.
    /// Throws ``HookError`` `.badCommand` when `command` cannot be split.
    public static func bootstrap(method: HookMethod, scope: String, dataDirectory: String) throws(HookError) -> [String] {
        var argv = try method.words()
        if !method.noParams {
            argv.append("--scope=\(scope)")
            argv.append("--datadir=\(dataDirectory)")
        }
        for parameter in method.parameters where !bootstrapReservedKeys.contains(parameter.key) {
            argv.append(option(parameter.key, parameter.value.rendered))
        }
        return argv
    }

    /// Custom replica method (SPEC §5.2): the words of `command`, then `--<key>=<value>` for the section's
    /// keys in YAML order. Unless `no_params`, Patroni's four parameters are set: a key the section already
    /// has keeps its place and gets sidecar's value, the others are appended in the order `scope`, `role`,
    /// `datadir`, `connstring`. With `no_params` the four are not added and `no_params`, `no_leader` and
    /// `keep_data` are dropped (`no_master` is passed, as Patroni does).
    /// Throws ``HookError`` `.badCommand` when `command` cannot be split.
    public static func replica(
        method: HookMethod,
        scope: String,
        dataDirectory: String,
        connstring: String
    ) throws(HookError) -> [String] {
        var argv = try method.words()
        var pairs = method.parameters.map { ($0.key, $0.value.rendered) }
        if method.noParams {
            pairs.removeAll { replicaNoParamsDroppedKeys.contains($0.0) }
        } else {
            let fixed = [("scope", scope), ("role", "replica"), ("datadir", dataDirectory), ("connstring", connstring)]
            for (key, value) in fixed {
                if let index = pairs.firstIndex(where: { $0.0 == key }) {
                    pairs[index].1 = value
                } else {
                    pairs.append((key, value))
                }
            }
        }
        argv += pairs.map { option($0.0, $0.1) }
        return argv
    }

    /// `post_bootstrap` (SPEC §4.5): the words of `command`, then the key=value connstring as the one argument.
    /// Throws ``HookError`` `.badCommand` when `command` cannot be split.
    public static func postBootstrap(command: String, connstring: String) throws(HookError) -> [String] {
        try CommandWords.split(command) + [connstring]
    }

    private static func option(_ key: String, _ value: String) -> String {
        "--\(key)=\(value)"
    }
}
