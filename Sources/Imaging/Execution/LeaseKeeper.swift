import Foundation
import Hooks
import JobStore
import Synchronization

/// Renews a running job's lease while its work runs (a third of the lease apart); stops the running hook when
/// the job is cancelled or the lease is lost.
final class LeaseKeeper: Sendable {
    private struct State {
        var lease: JobLease
        var cancelRequested = false
        var lost = false
    }

    private let queue: JobQueue
    private let control: HookControl
    private let now: @Sendable () -> Date
    private let state: Mutex<State>

    init(queue: JobQueue, lease: JobLease, control: HookControl, now: @escaping @Sendable () -> Date) {
        self.queue = queue
        self.control = control
        self.now = now
        self.state = Mutex(State(lease: lease))
    }

    var cancelRequested: Bool { state.withLock { $0.cancelRequested } }
    var wasLost: Bool { state.withLock { $0.lost } }

    /// Renews until the task is cancelled.
    func run() async {
        let interval = max(queue.leaseDuration / 3, .milliseconds(200))
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            let lease = state.withLock { $0.lease }
            do {
                switch try queue.renewLease(lease, now: now()) {
                case .renewed(let renewed):
                    state.withLock { $0.lease = renewed }
                case .cancelRequested(let renewed):
                    state.withLock {
                        $0.lease = renewed
                        $0.cancelRequested = true
                    }
                    control.interrupt()
                case .lost:
                    state.withLock { $0.lost = true }
                    control.interrupt()
                    return
                }
            } catch {
                // A transient database error: try again at the next interval; the lease has slack for it.
                continue
            }
        }
    }
}
