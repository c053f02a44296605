import ArgumentParser

/// `sidecar dcs` (placeholder until its issue lands).
struct DCSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dcs", abstract: "Not built yet.")

    func run() async throws {
        throw CLIError("'sidecar dcs' is not built yet", exitCode: CLIError.usage)
    }
}
