import ArgumentParser
import Foundation

/// `sidecar`: prepares PostgreSQL data directories the way Patroni's replica imaging and bootstrap does.
struct SidecarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar",
        abstract: "Bootstrap PostgreSQL clusters and build replicas, with every imaging job kept in SQLite.",
        subcommands: [
            RunCommand.self,
            PlanCommand.self,
            ReinitCommand.self,
            JobsCommand.self,
            DCSCommand.self,
            ConfigCommand.self,
        ]
    )

    /// Parses, runs, and turns every error into one line and the exit status of SPEC §9.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("sidecar: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
