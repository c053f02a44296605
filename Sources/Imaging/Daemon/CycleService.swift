import Foundation
import ServiceLifecycle

/// Runs a ``Cycle`` every `loop_wait` until graceful shutdown; wakes the job worker when it enqueued a job.
public struct CycleService: Service {
    public var cycle: Cycle
    public var worker: JobWorker?

    public init(cycle: Cycle, worker: JobWorker? = nil) {
        self.cycle = cycle
        self.worker = worker
    }

    public func run() async throws {
        let loopWait = cycle.context.configuration.loopWait
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if await cycle.run() != nil { worker?.wake() }
            try? await gracefulShutdown(orAfter: loopWait)
        }
    }
}

/// Sleeps `duration` unless graceful shutdown or cancellation comes first.
func gracefulShutdown(orAfter duration: Duration) async throws {
    try await cancelWhenGracefulShutdown {
        try await Task.sleep(for: duration)
    }
}
