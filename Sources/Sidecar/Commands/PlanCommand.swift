import ArgumentParser

/// `sidecar plan` (placeholder until its issue lands).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Not built yet.")

    func run() async throws {
        throw CLIError("'sidecar plan' is not built yet", exitCode: CLIError.usage)
    }
}
