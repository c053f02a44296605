import ArgumentParser

/// `sidecar reinit` (placeholder until its issue lands).
struct ReinitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reinit", abstract: "Not built yet.")

    func run() async throws {
        throw CLIError("'sidecar reinit' is not built yet", exitCode: CLIError.usage)
    }
}
