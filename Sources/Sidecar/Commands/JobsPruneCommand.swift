import ArgumentParser
import Foundation
import Imaging
import JobStore

/// `sidecar jobs prune --older-than D`: deletes finished jobs (and their attempts, events and log files) that
/// finished more than D ago. Queued and running jobs are never pruned.
struct JobsPruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Delete finished jobs older than a duration, with their attempts, events and logs.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Prune jobs that finished longer ago than this: seconds, or 90m, 12h, 30d.")
    var olderThan: String

    func validate() throws {
        guard DurationParser.duration(olderThan) != nil else {
            throw ValidationError("--older-than must be a duration: seconds, or 90m, 12h, 30d")
        }
    }

    func run() throws {
        let stateDir = try StateDirectory.resolve(global)
        let database = try global.openJobDatabase()
        let age = DurationParser.duration(olderThan) ?? .zero
        let cutoff = Date().addingTimeInterval(-(Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18))
        let result: PruneResult
        do {
            result = try HistoryPruner(history: AuditHistory(database: database), stateDirectory: stateDir).prune(finishedBefore: cutoff)
        } catch {
            throw CLIError(error)
        }
        Terminal.write(
            "pruned \(result.jobs) finished job\(result.jobs == 1 ? "" : "s") (\(result.attempts) attempts) that finished before \(Timestamp.format(cutoff))\n"
        )
    }
}
