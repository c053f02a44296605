import Subprocess
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Why sidecar stopped a hook (absent when the hook ended by itself).
enum StopCause: Sendable {
    case timedOut
    case interrupted
}

/// The process once spawned, readable after swift-subprocess returns or throws.
final class StartedProcess: Sendable {
    private let process = Mutex<HookProcess?>(nil)
    func set(_ value: HookProcess) { process.withLock { $0 = value } }
    var value: HookProcess? { process.withLock { $0 } }
}

extension HookRunner {
    /// What wakes the watchdog of one run.
    enum Wakeup: Sendable, Equatable {
        case request(HookControl.Request)
        case timeout
        case graceOver
        case leaderExited
    }

    /// What a child task of ``supervise(_:process:invocation:recorder:control:)`` reports when it ends.
    enum Finished: Sendable {
        case drained
        /// The watchdog, cancelled once the hook ended, with the stop it caused if any.
        case watched(StopCause?)
    }

    /// Drains both streams while a watchdog enforces the timeout and the control; returns once both streams have
    /// ended, after SIGKILL to the whole group (the child is not reaped yet, so its pgid cannot have been reused).
    func supervise(
        _ execution: Execution<NoInput, SequenceOutput, SequenceOutput>,
        process: HookProcess,
        invocation: HookInvocation,
        recorder: OutputRecorder,
        control: HookControl
    ) async -> StopCause? {
        let (wakeups, wake) = AsyncStream.makeStream(of: Wakeup.self)
        control.attach(processGroup: process.processGroup) { wake.yield(.request($0)) }
        let cause = await withTaskGroup(of: Finished.self) { group in
            group.addTask {
                await Self.drain(execution.standardOutput, as: .stdout, into: recorder)
                return .drained
            }
            group.addTask {
                await Self.drain(execution.standardError, as: .stderr, into: recorder)
                return .drained
            }
            // The streams end when the leader exits (swift-subprocess stops waiting for EOF then), so once both
            // drains are done the watchdog is cancelled; it reports whether it stopped the hook.
            group.addTask {
                .watched(await self.watch(process, invocation: invocation, control: control, wakeups: wakeups, wake: wake))
            }
            var drained = 0
            var cause: StopCause?
            while let finished = await group.next() {
                switch finished {
                case .watched(let stop): cause = stop
                case .drained: drained += 1
                }
                if case .drained = finished, drained == 2 {
                    // Both streams ended, usually because the leader exited. A hook may also have closed them and
                    // run on (`exec >file 2>&1`): the watchdog keeps enforcing the limits until the leader is gone.
                    await Self.waitForExit(of: process.pid)
                    group.cancelAll()
                }
            }
            return cause
        }
        control.detach()
        wake.finish()
        ProcessGroup.send(SIGKILL, to: process.processGroup)
        return cause
    }

    /// Returns once our child `pid` has exited (not reaped). Right after the streams end the exit is usually
    /// complete or some microseconds away, so the checks start 50 µs apart and back off to 50 ms.
    private static func waitForExit(of pid: Int32) async {
        var attempt = 0
        while !ProcessGroup.childHasExited(pid) {
            attempt += 1
            // 50 µs, 100 µs, ... doubling up to 51.2 ms, then every 50 ms.
            try? await Task.sleep(for: .microseconds(attempt > 11 ? 50_000 : 50 << (attempt - 1)))
        }
    }

    private static func drain(_ sequence: SubprocessOutputSequence, as stream: HookStream, into recorder: OutputRecorder) async {
        do {
            for try await buffer in sequence {
                buffer.withUnsafeBytes { recorder.record($0, from: stream) }
            }
        } catch {
            // A read error ends this stream; what was read is kept and the hook's exit status still decides.
        }
        recorder.finish(stream)
    }

    /// Turns timeouts, control requests and the leader's exit into signals to the group until cancelled.
    private func watch(
        _ process: HookProcess,
        invocation: HookInvocation,
        control: HookControl,
        wakeups: AsyncStream<Wakeup>,
        wake: AsyncStream<Wakeup>.Continuation
    ) async -> StopCause? {
        let group = process.processGroup
        let grace = invocation.grace
        let poll = leaderPollInterval
        return await withTaskGroup(of: Void.self) { timers in
            if let timeout = invocation.timeout {
                timers.addTask {
                    if (try? await Task.sleep(for: timeout)) != nil { wake.yield(.timeout) }
                }
            }
            // A grandchild that keeps writing after the leader exited would keep the streams busy: kill it.
            timers.addTask {
                while (try? await Task.sleep(for: poll)) != nil {
                    if ProcessGroup.childHasExited(process.pid) {
                        wake.yield(.leaderExited)
                        return
                    }
                }
            }
            var cause: StopCause?
            for await wakeup in wakeups {
                switch wakeup {
                case .timeout, .request(.interrupt):
                    guard cause == nil else { continue }
                    cause = wakeup == .timeout ? .timedOut : .interrupted
                    ProcessGroup.send(SIGTERM, to: group)
                    // A stopped process only sees the SIGTERM once continued.
                    ProcessGroup.send(SIGCONT, to: group)
                    timers.addTask {
                        if (try? await Task.sleep(for: grace)) != nil { wake.yield(.graceOver) }
                    }
                case .request(.kill):
                    cause = cause ?? .interrupted
                    ProcessGroup.send(SIGKILL, to: group)
                case .request(.none):
                    continue
                case .graceOver, .leaderExited:
                    ProcessGroup.send(SIGKILL, to: group)
                }
            }
            timers.cancelAll()
            return cause
        }
    }
}
