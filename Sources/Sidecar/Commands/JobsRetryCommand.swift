import ArgumentParser
import JobStore

/// `sidecar jobs retry ID`: a failed or cancelled job goes back to the queue, its history kept.
struct JobsRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a failed or cancelled job again.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job id.")
    var id: Int64

    func run() throws {
        let queue = JobQueue(database: try global.openJobDatabase())
        let result: JobQueue.Retry
        do {
            result = try queue.retry(jobID: id)
        } catch {
            throw CLIError(error)
        }
        switch result {
        case .requeued:
            Terminal.write("job \(id) queued again\n")
        case .notRetryable(let job):
            throw CLIError("job \(id) is \(job.state.rawValue); only failed or cancelled jobs can be retried")
        case .blocked(let other):
            throw CLIError(
                "data dir \(other.dataDirectory) already has job \(other.id) (\(other.state.rawValue)); cancel it or wait for it to finish")
        }
    }
}
