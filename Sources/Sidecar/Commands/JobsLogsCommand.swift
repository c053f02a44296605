import ArgumentParser
import Foundation
import JobStore

/// `sidecar jobs logs ID [ATTEMPT]`: the full hook output of one attempt (1 = the job's first), or of all of them.
///
/// The output comes from the attempt's log file; when that is gone (pruned, another host), the tails kept in the
/// database are printed instead, with a note on stderr.
struct JobsLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the full hook output of a job's attempts.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The job id.")
    var id: Int64

    @Argument(help: "The attempt number within the job (1 = first; see 'jobs show'). Default: every attempt.")
    var attempt: Int?

    func run() throws {
        let database = try global.openJobDatabase()
        let attempts: [Attempt]
        do {
            attempts = try AuditHistory(database: database).attempts(jobID: id)
        } catch {
            throw CLIError(error)
        }
        if let attempt {
            guard let chosen = attempts.first(where: { $0.number == attempt }) else {
                throw CLIError(
                    "job \(id) has no attempt \(attempt) (it has \(attempts.count)); see 'sidecar jobs show \(id)'", exitCode: CLIError.usage)
            }
            print(chosen, header: false)
            return
        }
        if attempts.isEmpty {
            Terminal.note("job \(id) has no attempts yet")
        }
        for chosen in attempts {
            print(chosen, header: true)
        }
    }

    private func print(_ attempt: Attempt, header: Bool) {
        if header {
            let outcome = attempt.outcome?.rawValue ?? "running"
            Terminal.write("== attempt \(attempt.number): \(attempt.method) (\(outcome)) ==\n")
        }
        if let path = attempt.logPath, let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                FileHandle.standardOutput.write(chunk)
            }
            return
        }
        if attempt.logPath != nil, attempt.outputBytes == 0, attempt.outcome != nil {
            Terminal.note("attempt \(attempt.number) printed nothing")
            return
        }
        let why = attempt.logPath.map { "log file \($0) is gone" } ?? "no log file was recorded"
        Terminal.note("attempt \(attempt.number): \(why); printing the stored tails (stdout, then stderr)")
        FileHandle.standardOutput.write(Data(attempt.stdoutTail))
        FileHandle.standardOutput.write(Data(attempt.stderrTail))
    }
}
