import ArgumentParser
import Foundation
import Hooks

/// `sidecar config`: commands about the configuration file.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration.",
        subcommands: [ConfigCheckCommand.self]
    )
}

/// `sidecar config check [--config F]`: load and validate the configuration and every hook it names.
///
/// Exit 0 with a summary (scope, node, DCS, bootstrap method, chain, hooks and their resolved paths), or
/// exit 64 with every problem, one per line.
struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration and the hooks it names; print a summary or every problem."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let result = global.loadConfigResult(environment: environment)
        guard let config = result.config, result.problems.isEmpty else {
            throw CLIError(Self.problemText(result.problems), exitCode: CLIError.usage)
        }
        let hooks = ConfiguredHook.all(in: config, path: environment["PATH"])
        var problems: [ConfigProblem] = []
        for hook in hooks {
            if case .rejected(let reason) = hook.resolution {
                problems.append(ConfigProblem(hook.keyPath, reason))
            }
        }
        if config.postgresql.binDir == nil {
            problems.append(
                ConfigProblem(
                    "postgresql.bin_dir", "no pg_ctl on PATH nor in /usr/lib/postgresql/*/bin: install PostgreSQL or set postgresql.bin_dir")
            )
        }
        guard problems.isEmpty else {
            throw CLIError(Self.problemText(problems), exitCode: CLIError.usage)
        }
        print(Self.summary(config, hooks: hooks), terminator: "")
    }

    static func problemText(_ problems: [ConfigProblem]) -> String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "the configuration has \(count):\n" + problems.map(\.description).joined(separator: "\n")
    }

    /// The summary printed when everything is valid.
    static func summary(_ config: SidecarConfig, hooks: [ConfiguredHook]) -> String {
        var lines: [String] = []
        lines.append("configuration  \(config.file ?? "-")")
        lines.append("scope          \(config.scope)")
        lines.append("node           \(config.name)")
        lines.append("data dir       \(config.postgresql.dataDir)")
        lines.append("bin dir        \(config.postgresql.binDir ?? "-")")
        lines.append("DCS            \(config.dcsSummary)")
        lines.append("namespace      \(config.namespace)")
        if let bootstrap = config.bootstrap {
            let command = bootstrap.customMethod.map { " (\($0.commandLine))" } ?? ""
            lines.append("bootstrap      \(bootstrap.method)\(command)")
        } else {
            lines.append("bootstrap      none (no bootstrap section: this node only clones)")
        }
        let chain = config.postgresql.chain.map { method in
            method.noLeader ? "\(method.name) (no_leader)" : method.name
        }
        lines.append("chain          \(chain.joined(separator: " -> "))")
        lines.append("state dir      \(config.sidecar.stateDir)")
        lines.append("hooks dir      \(config.sidecar.hooksDir)")
        if hooks.isEmpty {
            lines.append("hooks          none")
        } else {
            lines.append("hooks")
            for hook in hooks {
                lines.append("  \(hook.role) \(hook.method): \(hook.resolution.path ?? "-")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
