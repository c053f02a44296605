import ArgumentParser
import DCS
import Foundation
import Imaging
import JobStore
import Postgres

/// `sidecar reinit [--from-leader] [--force] [--wait]`: queues a `replica` job that stops the local instance and
/// re-images the data dir with the chain (SPEC §3); the daemon runs it.
struct ReinitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reinit",
        abstract: "Re-image this node's data dir from the cluster (the daemon stops PostgreSQL and runs the replica chain).",
        discussion: """
            Refused on the leader, and when no clone source exists now (unless --force). Exit status: 0 queued (with \
            --wait: the job succeeded), 1 refused or the job failed, 64 bad usage or configuration, 69 DCS unavailable.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Clone from the leader with basebackup only (as Patroni does).")
    var fromLeader = false

    @Flag(help: "Queue the job even when no clone source exists now; it waits for one.")
    var force = false

    @Flag(help: "Follow the job, printing its events, and exit 0 if it succeeds, 1 if it fails or is cancelled.")
    var wait = false

    func run() async throws {
        let config = try global.loadConfig()
        let postgres = try DaemonWiring.postgres(config, environment: ProcessInfo.processInfo.environment)
        let imaging = DaemonWiring.imaging(config, postgres: postgres)
        let view = try await DCSCommand.read(config)
        switch ReinitCheck(fromLeader: fromLeader, force: force).verdict(view, decider: imaging.decider) {
        case .refused(let reason):
            throw CLIError("refusing to reinit: \(reason)")
        case .allowed(let decision):
            let queue = JobQueue(database: try Self.openDatabase(config.sidecar.stateDir))
            let job: Job
            do {
                switch try ReinitRequest.enqueue(imaging, queue: queue, fromLeader: fromLeader, force: force, source: .cli) {
                case .created(let created):
                    job = created
                case .existing(let existing):
                    throw CLIError(
                        "job \(existing.id) (\(existing.kind.rawValue), \(existing.state.rawValue)) is already unfinished for this data dir; "
                            + "follow it with `sidecar jobs show \(existing.id)`, or `sidecar jobs cancel \(existing.id)` first")
                }
            } catch let error as JobStoreError {
                throw CLIError(error)
            }
            Terminal.write("queued replica job \(job.id) (\(decision.event))\n")
            if wait {
                try await follow(job.id, history: AuditHistory(database: queue.database))
            }
        }
    }

    /// Prints the job's events as they come until it ends; throws ``CLIError`` (1) unless it succeeded.
    private func follow(_ id: Int64, history: AuditHistory) async throws {
        var printed = 0
        while true {
            let detail: JobDetail
            do {
                detail = try history.detail(jobID: id)
            } catch {
                throw CLIError(error)
            }
            for event in detail.events.dropFirst(printed) {
                Terminal.write("\(Timestamp.format(event.at))  \(event.message)\n")
            }
            printed = detail.events.count
            switch detail.job.state {
            case .succeeded:
                Terminal.write("job \(id) succeeded\n")
                return
            case .failed, .cancelled:
                throw CLIError("job \(id) \(detail.job.state.rawValue)\(detail.job.lastError.map { ": \($0)" } ?? "")")
            case .queued, .running:
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// The state dir's job database, created (mode 0700 dir) when the daemon has not run yet.
    static func openDatabase(_ stateDirectory: String) throws(CLIError) -> JobDatabase {
        do {
            try FileManager.default.createDirectory(
                atPath: stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return try JobDatabase(stateDirectory: stateDirectory, busyTimeout: .seconds(10))
        } catch let error as JobStoreError {
            throw CLIError(error)
        } catch {
            throw CLIError("could not create the state dir \(stateDirectory): \(error)")
        }
    }
}
