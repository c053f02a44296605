import Foundation
import Synchronization

/// What this node is doing right now, shared by the cycle, the job worker and the HTTP status (in memory only).
public final class NodeStatus: Sendable {
    /// The running hook of the current job.
    public struct RunningAttempt: Sendable, Equatable {
        public var attemptID: Int64
        public var method: String
        public var startedAt: Date
        public var lastLine: String?
        public var outputBytes: Int64

        public init(attemptID: Int64, method: String, startedAt: Date, lastLine: String? = nil, outputBytes: Int64 = 0) {
            self.attemptID = attemptID
            self.method = method
            self.startedAt = startedAt
            self.lastLine = lastLine
            self.outputBytes = outputBytes
        }
    }

    /// The job the worker runs now.
    public struct CurrentJob: Sendable, Equatable {
        public var id: Int64
        public var kind: String
        public var attempt: RunningAttempt?
    }

    /// The local PostgreSQL instance, as last verified by the cycle.
    public enum Instance: String, Sendable {
        case unknown
        case stopped
        case primary
        case replica
    }

    public struct Snapshot: Sendable {
        public var lastCycleAt: Date?
        /// When the cycle last pruned the history (`sidecar.retention`).
        public var lastPruneAt: Date?
        public var dcsBackend: String = ""
        public var dcsReachable: Bool = false
        public var dcsError: String?
        public var leader: String?
        public var dataDirState: String = "unknown"
        public var dataDirProblem: String?
        public var instance: Instance = .unknown
        /// Patroni's `state` string published in the member key.
        public var memberState: String = "stopped"
        public var currentJob: CurrentJob?
        public var lastFinishedJobID: Int64?
        public var lastFinishedOutcome: String?
        /// Set once the data dir is imaged and the instance verified (readiness).
        public var imagedAndVerified: Bool = false
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Changes the snapshot under the lock.
    public func update(_ change: (inout Snapshot) -> Void) {
        state.withLock { change(&$0) }
    }
}
