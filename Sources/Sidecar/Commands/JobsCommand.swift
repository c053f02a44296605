import ArgumentParser

/// `sidecar jobs`: the imaging jobs and their audit trail in `<state_dir>/jobs.sqlite`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List, inspect, cancel, retry and prune imaging jobs.",
        subcommands: [
            JobsListCommand.self,
            JobsShowCommand.self,
            JobsLogsCommand.self,
            JobsCancelCommand.self,
            JobsRetryCommand.self,
            JobsPruneCommand.self,
        ]
    )
}
