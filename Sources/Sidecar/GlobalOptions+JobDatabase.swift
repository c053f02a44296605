import Foundation
import JobStore

extension GlobalOptions {
    /// Opens the job database of the state dir (never creating one). Throws `CLIError`: exit 64 without a state
    /// dir, exit 1 when there is no database or it cannot be read.
    func openJobDatabase() throws(CLIError) -> JobDatabase {
        let stateDir = try StateDirectory.resolve(self)
        do {
            return try JobDatabase(stateDirectory: stateDir, create: false, busyTimeout: .seconds(10))
        } catch {
            throw CLIError(error)
        }
    }
}

extension CLIError {
    /// One line for a job store failure: an unknown job is a usage error (64), anything else exit 1.
    init(_ error: JobStoreError) {
        switch error.code {
        case .notFound: self.init(error.message, exitCode: CLIError.usage)
        default: self.init(error.description.replacingOccurrences(of: "\n", with: " "), exitCode: CLIError.failure)
        }
    }
}
