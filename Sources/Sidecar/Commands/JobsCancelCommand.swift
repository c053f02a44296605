import ArgumentParser
import JobStore

/// `sidecar jobs cancel ID`: a queued job is cancelled at once; a running one stops at its next lease renewal.
struct JobsCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job (a running one stops at its worker's next lease renewal).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job id.")
    var id: Int64

    func run() throws {
        let queue = JobQueue(database: try global.openJobDatabase())
        let result: JobQueue.Cancellation
        do {
            result = try queue.cancel(jobID: id)
        } catch {
            throw CLIError(error)
        }
        switch result {
        case .cancelled:
            Terminal.write("job \(id) cancelled\n")
        case .requested:
            Terminal.write("job \(id) is running: cancel requested; its worker stops the hook at its next lease renewal\n")
        case .alreadyFinished(let job) where job.state == .cancelled:
            Terminal.write("job \(id) was already cancelled\n")
        case .alreadyFinished(let job):
            throw CLIError("job \(id) already \(job.state.rawValue); nothing to cancel")
        }
    }
}
