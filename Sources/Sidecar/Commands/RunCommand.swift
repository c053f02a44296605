import ArgumentParser

/// `sidecar run` (placeholder until its issue lands).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Not built yet.")

    func run() async throws {
        throw CLIError("'sidecar run' is not built yet", exitCode: CLIError.usage)
    }
}
