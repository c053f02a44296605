import DCS
import Foundation
import Hooks
import JobStore
import Logging

/// The parts an imaging job works with, handed down from the daemon's wiring.
public struct ImagingContext: Sendable {
    public var configuration: ImagingConfiguration
    public var queue: JobQueue
    public var history: AuditHistory
    public var dcs: any DCSDriver
    public var runner: HookRunner
    public var status: NodeStatus
    public var logger: Logger
    /// sidecar's own environment, passed to hooks minus `SIDECAR_*`.
    public var environment: [String: String]
    /// The clock; tests may move it.
    public var now: @Sendable () -> Date

    public init(
        configuration: ImagingConfiguration,
        queue: JobQueue,
        history: AuditHistory,
        dcs: any DCSDriver,
        runner: HookRunner = HookRunner(),
        status: NodeStatus = NodeStatus(),
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.queue = queue
        self.history = history
        self.dcs = dcs
        self.runner = runner
        self.status = status
        self.logger = logger
        self.environment = environment
        self.now = now
    }

    /// Appends an event to the job's history and logs it; a database error is logged, never thrown.
    public func event(_ jobID: Int64, _ message: String) {
        logger.info("\(message)", metadata: ["job": "\(jobID)"])
        do {
            try history.appendEvent(jobID: jobID, message, now: now())
        } catch {
            logger.error("could not record event: \(error)", metadata: ["job": "\(jobID)"])
        }
    }
}
