import Foundation
import JobStore

/// Prunes the audit history: finished jobs older than a cutoff with their attempts, events and log files. Log files
/// are removed only inside `<state_dir>/logs/`; queued and running jobs are never touched (the job store refuses).
public struct HistoryPruner: Sendable {
    public var history: AuditHistory
    public var stateDirectory: String

    public init(history: AuditHistory, stateDirectory: String) {
        self.history = history
        self.stateDirectory = stateDirectory
    }

    /// Deletes what finished before `cutoff`; returns what went. Throws `JobStoreError` when the database cannot be written.
    @discardableResult
    public func prune(finishedBefore cutoff: Date) throws(JobStoreError) -> PruneResult {
        let result = try history.prune(finishedBefore: cutoff)
        let logs = (stateDirectory as NSString).standardizingPath + "/logs/"
        for path in result.logPaths where (path as NSString).standardizingPath.hasPrefix(logs) {
            try? FileManager.default.removeItem(atPath: path)
        }
        for id in result.jobIDs {
            try? FileManager.default.removeItem(atPath: logs + String(id))
        }
        return result
    }
}
