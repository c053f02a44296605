/// One thing wrong with the configuration: the key path and a message that says how to fix it.
struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// Dotted key path (`bootstrap.method`, `postgresql.basebackup[2]`); empty for the file as a whole.
    var keyPath: String
    /// What is wrong and what to do, one line.
    var message: String

    init(_ keyPath: String, _ message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// `key.path: message`, one line.
    var description: String {
        let line = keyPath.isEmpty ? message : "\(keyPath): \(message)"
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// What ``ConfigLoader`` produced: the configuration when there was no problem, else every problem found.
struct ConfigLoadResult: Sendable {
    var config: SidecarConfig?
    var problems: [ConfigProblem]

    /// The configuration, or a ``CLIError`` (exit 64) listing every problem, one per line.
    func get() throws(CLIError) -> SidecarConfig {
        guard let config, problems.isEmpty else {
            let lines = problems.isEmpty ? ["the configuration could not be loaded"] : problems.map(\.description)
            throw CLIError("invalid configuration:\n" + lines.joined(separator: "\n"), exitCode: CLIError.usage)
        }
        return config
    }
}
