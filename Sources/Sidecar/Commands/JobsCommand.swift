import ArgumentParser

/// `sidecar jobs` (placeholder until its issue lands).
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "Not built yet.")

    func run() async throws {
        throw CLIError("'sidecar jobs' is not built yet", exitCode: CLIError.usage)
    }
}
