import ArgumentParser

/// `sidecar config` (placeholder until its issue lands).
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "Not built yet.")

    func run() async throws {
        throw CLIError("'sidecar config' is not built yet", exitCode: CLIError.usage)
    }
}
