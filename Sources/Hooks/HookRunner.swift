import Foundation

/// Runs one resolved hook: its own process group, stdin `/dev/null`, the invocation's working directory and exact
/// environment, both output streams read as they come, a timeout and a stop that reach the whole group (SPEC §6).
///
/// `run` never throws: every ending, including a hook that could not be started, is a ``HookOutcome`` in the
/// returned ``HookResult``. Memory stays bounded whatever the hook prints (tails of `tailBytes`, lines handed
/// to the sink in pieces of at most ``maxLineBytes``).
///
/// Each run is spawned and supervised on a thread of the runner's own (``HookThread``): `vfork` + `execve`
/// (`sidecar_spawn`), then one `poll` over both pipes, a pidfd of the hook and the control's wake-up, with the timeout
/// and the grace as the poll's deadline (``HookSupervisor``). The caller's task only waits; a hook that runs for hours
/// holds that thread, not one of the cooperative pool's.
public struct HookRunner: Sendable {
    /// Longest piece of one line handed to a ``HookOutputSink``; longer lines arrive in several pieces.
    public var maxLineBytes: Int
    /// How often the runner checks whether the hook's leader has exited when the kernel has no pidfd (before 5.3).
    var leaderPollInterval: Duration = .milliseconds(50)
    /// Whether the leader's exit is watched through a pidfd (Linux 5.3+, when the kernel gives one); tests turn it
    /// off to run the fallback that older kernels get.
    var usesPidfd = true

    public init(maxLineBytes: Int = 64 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// Runs `invocation` to its end and returns what happened; never throws.
    ///
    /// - Parameters:
    ///   - sink: receives every output line of both streams, one call at a time (on the run's own thread).
    ///   - control: stops the hook from elsewhere (``HookControl/interrupt()``, ``HookControl/kill()``).
    ///   - onStart: called once, as soon as the child exists and before any output is read, with its pid, process
    ///     group and start time (record them so that a restarted daemon can kill an orphaned group).
    ///
    /// Cancelling the calling task interrupts the hook (SIGTERM to the group, `grace`, SIGKILL) and `run` returns
    /// ``HookOutcome/interrupted``. Before returning, the runner always sends SIGKILL to the hook's group, so no
    /// grandchild outlives the run.
    public func run(
        _ invocation: HookInvocation,
        sink: (any HookOutputSink)? = nil,
        control: HookControl? = nil,
        onStart: @escaping @Sendable (HookProcess) -> Void = { _ in }
    ) async -> HookResult {
        let control = control ?? HookControl()
        let startedAt = Date()
        if control.isInterrupted {
            return HookResult(outcome: .interrupted, startedAt: startedAt, finishedAt: Date())
        }
        let maxLineBytes = maxLineBytes
        let leaderPollInterval = leaderPollInterval
        let usesPidfd = usesPidfd
        @Sendable func runHook() -> HookResult {
            switch HookSupervisor.start(
                invocation, maxLineBytes: maxLineBytes, leaderPollInterval: leaderPollInterval, usesPidfd: usesPidfd, sink: sink,
                control: control, onStart: onStart, startedAt: startedAt)
            {
            case .success(let supervisor): supervisor.run()
            case .failure(let notStarted): HookResult(outcome: notStarted.outcome, startedAt: startedAt, finishedAt: Date())
            }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<HookResult, Never>) in
                do throws(HookError) {
                    try HookThread.start { continuation.resume(returning: runHook()) }
                } catch {
                    let reason = "could not start a thread to run \(invocation.executable) (\(error.message)); check the system's thread limits"
                    continuation.resume(returning: HookResult(outcome: .notRun(reason: reason), startedAt: startedAt, finishedAt: Date()))
                }
            }
        } onCancel: {
            control.interrupt()
        }
    }
}
