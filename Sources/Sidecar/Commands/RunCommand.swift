import ArgumentParser
import Foundation
import Logging

/// `sidecar run [--once]`: the daemon, or one cycle and every job due now.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the daemon: image the data dir when it needs it, keep the member published.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Run one cycle and the jobs due now, then exit.")
    var once = false

    func run() async throws {
        let config = try global.loadConfig()
        guard geteuid() != 0 else {
            throw CLIError(
                "PostgreSQL refuses to run as root: run sidecar as the data dir's owner, e.g. runuser -u postgres -- sidecar run",
                exitCode: CLIError.usage)
        }
        let logger = SidecarLogging.logger(node: config.name)
        let daemon = try Daemon(config: config, logger: logger)
        if once {
            await daemon.runOnce()
        } else {
            try await daemon.run(logger: logger)
        }
    }
}
