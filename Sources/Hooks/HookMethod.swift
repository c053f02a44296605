/// One method section of the configuration (`bootstrap.<name>` or `postgresql.<name>`), keys in YAML order.
///
/// `parameters` holds every key of the section except `command`, exactly as written and in order, flags
/// included: the argv contract (``PatroniArgv``) decides which of them a hook receives. The typed flags below
/// read them with Patroni's truthiness (``ParameterValue/isTruthy``).
public struct HookMethod: Sendable, Hashable {
    /// Which spelling of the "may run without a leader" flag a section used.
    public enum LeaderFlagSpelling: String, Sendable {
        case noLeader = "no_leader"
        case noMaster = "no_master"
    }

    /// The method's name: the key of its section, or the chain entry.
    public var name: String
    /// The `command` as written; `nil` when the section has none (a replica method then runs its name).
    public var command: String?
    /// Every key of the section except `command`, in YAML order.
    public var parameters: [HookParameter]
    /// Wall-clock limit of one run (`sidecar.methods.<name>.timeout`, else `sidecar.hook_timeout`); `nil`: none.
    public var timeout: Duration?

    /// A method section; `parameters` in YAML order, `command` excluded.
    public init(name: String, command: String? = nil, parameters: [HookParameter] = [], timeout: Duration? = nil) {
        self.name = name
        self.command = command
        self.parameters = parameters
        self.timeout = timeout
    }

    /// The command line to split: `command`, or the method name when there is none (Patroni's rule).
    public var commandLine: String { command ?? name }

    /// The words of ``commandLine``. Throws ``HookError`` `.badCommand` when it cannot be split.
    public func words() throws(HookError) -> [String] {
        try CommandWords.split(commandLine)
    }

    /// The value of `key`, if the section has it.
    public subscript(key: String) -> ParameterValue? {
        parameters.first { $0.key == key }?.value
    }

    /// `no_params`: call the hook with only the words of its command and the section's own keys.
    public var noParams: Bool { self["no_params"]?.isTruthy ?? false }

    /// `keep_data`: do not wipe the data dir before this method or after it fails.
    public var keepData: Bool { self["keep_data"]?.isTruthy ?? false }

    /// `no_leader` (or its old spelling `no_master`): the method can run with no leader to copy from.
    public var noLeader: Bool {
        (self["no_leader"]?.isTruthy ?? false) || (self["no_master"]?.isTruthy ?? false)
    }

    /// Which spelling of the no-leader flag the section wrote (`no_leader` wins if both are there).
    public var leaderFlagSpelling: LeaderFlagSpelling? {
        if self["no_leader"] != nil { return .noLeader }
        if self["no_master"] != nil { return .noMaster }
        return nil
    }

    /// Bootstrap only: keep the recovery files the script left when there is no `recovery_conf`.
    public var keepExistingRecoveryConf: Bool { self["keep_existing_recovery_conf"]?.isTruthy ?? false }

    /// Bootstrap only: the `recovery_conf` map in YAML order, `nil` when absent, null or not a map.
    public var recoveryConf: [HookParameter]? {
        if case .map(let entries) = self["recovery_conf"] { return entries }
        return nil
    }
}
