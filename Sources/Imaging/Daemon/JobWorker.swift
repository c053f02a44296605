import Foundation
import Hooks
import JobStore
import ServiceLifecycle
import Synchronization

/// Claims jobs one at a time and runs them with ``JobExecutor``. On graceful shutdown it interrupts the running
/// hook (SIGTERM to its group, grace, SIGKILL), lets the job be re-queued, and returns; ``killNow()`` (a second
/// SIGTERM) kills the group at once.
public final class JobWorker: Service, Sendable {
    private let executor: JobExecutor
    private let dataDirectory: String
    private let idle: Duration
    private let state = Mutex<(control: HookControl?, woken: Bool)>((nil, false))

    public init(executor: JobExecutor, idle: Duration = .seconds(1)) {
        self.executor = executor
        self.dataDirectory = executor.context.configuration.postgres.dataDirectory
        self.idle = idle
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if await runNext() == nil {
                    await idleWait()
                }
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.control?.interrupt() }
        }
    }

    /// Claims and runs one job if one is due; returns how it ended, or `nil` when none was due.
    @discardableResult
    public func runNext() async -> JobExecutor.Ending? {
        let claim: JobQueue.Claim?
        do {
            claim = try executor.context.queue.claim(dataDirectory: dataDirectory, now: executor.context.now())
        } catch {
            executor.context.logger.error("could not claim a job: \(error)")
            return nil
        }
        guard let claim else { return nil }
        let control = HookControl()
        if Task.isShuttingDownGracefully { control.interrupt() }
        state.withLock { $0.control = control }
        defer { state.withLock { $0.control = nil } }
        return await executor.execute(claim, control: control)
    }

    /// Runs jobs until none is due now (for `sidecar run --once`).
    public func drain() async {
        while await runNext() != nil, !Task.isCancelled {}
    }

    /// Wakes an idle worker early (the cycle just enqueued a job).
    public func wake() {
        state.withLock { $0.woken = true }
    }

    /// Waits up to `idle` for a job to come due, returning early when woken or shutting down.
    private func idleWait() async {
        let deadline = ContinuousClock.now + idle
        while ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
            if state.withLock({ state in
                defer { state.woken = false }; return state.woken
            }) {
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Kills the running hook's process group at once (a second SIGTERM during the grace period).
    public func killNow() {
        state.withLock { $0.control?.kill() }
    }
}
