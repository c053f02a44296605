import ArgumentParser
import JobStore

/// `sidecar jobs show ID [--json]`: one job with its events and attempts (exit codes, output tails).
struct JobsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a job with its events and attempts.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job id.")
    var id: Int64

    @Flag(help: "One JSON document for scripts.")
    var json = false

    func run() throws {
        let database = try global.openJobDatabase()
        let detail: JobDetail
        do {
            detail = try AuditHistory(database: database).detail(jobID: id)
        } catch {
            throw CLIError(error)
        }
        if json {
            try JSONOutput.write(JSONOutput.detailDocument(detail))
        } else {
            Terminal.write(JobTable.detail(detail))
        }
    }
}
