import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why sidecar stopped a hook (absent when the hook ended by itself).
enum StopCause: Sendable {
    case timedOut
    case interrupted
}

/// One run of a hook, on a ``HookThread``: ``start(_:maxLineBytes:leaderPollInterval:usesPidfd:sink:control:onStart:startedAt:)``
/// spawns it (the spawn returns once the child has called `execve`: about 0.1 ms from a thread that has run
/// before, against 0.4–1 ms from a new thread or one of Swift's cooperative pool, measured on this VM), and ``run()``
/// supervises it to the reap.
///
/// One `poll` waits for everything at once: output on either pipe, the hook's exit (a pidfd), a request of the
/// ``HookControl`` (an eventfd), and the next deadline (the timeout, then the grace). When the leader exits, the rest
/// of its group is killed, what is left in the pipes is read, and the leader is reaped last, so its process group id
/// cannot have been reused by the time it is signalled.
struct HookSupervisor: Sendable {
    var invocation: HookInvocation
    var leaderPollInterval: Duration
    var usesPidfd: Bool
    var control: HookControl
    var onStart: @Sendable (HookProcess) -> Void
    var startedAt: Date
    /// When the spawn returned: the timeout counts from here.
    var spawnedAt: ContinuousClock.Instant
    var hook: SpawnedHook
    var recorder: OutputRecorder

    /// Largest read from a pipe, and the most read from one pipe once the leader has exited (a process that left
    /// the group with `setsid` may still be writing; it must not keep the run alive).
    static let readSize = 64 * 1024
    static let drainLimit = 4 * 1024 * 1024

    /// Opens the log and spawns the hook; a hook that cannot start is a `notRun` result, one whose control was
    /// interrupted meanwhile (its task cancelled while this thread was being handed the run) `interrupted`.
    static func start(
        _ invocation: HookInvocation, maxLineBytes: Int, leaderPollInterval: Duration, usesPidfd: Bool, sink: (any HookOutputSink)?,
        control: HookControl, onStart: @escaping @Sendable (HookProcess) -> Void, startedAt: Date
    ) -> Result<HookSupervisor, NotStarted> {
        var log: HookOutputLog?
        if let path = invocation.logPath {
            do {
                log = try HookOutputLog(path: path)
            } catch {
                return .failure(NotStarted(outcome: .notRun(reason: error.message)))
            }
        }
        let recorder = OutputRecorder(tailBytes: invocation.tailBytes, maxLineBytes: maxLineBytes, sink: sink, log: log)
        if control.isInterrupted { return .failure(NotStarted(outcome: .interrupted)) }
        do {
            let hook = try SpawnedHook.spawn(invocation)
            return .success(
                HookSupervisor(
                    invocation: invocation, leaderPollInterval: leaderPollInterval, usesPidfd: usesPidfd, control: control, onStart: onStart,
                    startedAt: startedAt, spawnedAt: ContinuousClock.now, hook: hook, recorder: recorder))
        } catch {
            return .failure(NotStarted(outcome: .notRun(reason: error.message)))
        }
    }

    struct NotStarted: Error {
        var outcome: HookOutcome
    }

    /// Supervises the hook (reporting it with `onStart` once its control and timeout are armed) and reaps it.
    func run() -> HookResult {
        let process = HookProcess(pid: hook.pid, processGroup: hook.pid, startTime: ProcStat.read(pid: hook.pid)?.startTime ?? 0)
        let cause = supervise(process)
        let termination = hook.reap()

        let outcome: HookOutcome
        switch (cause, termination) {
        case (.timedOut, _): outcome = .timedOut
        case (.interrupted, _): outcome = .interrupted
        case (nil, .exited(0)): outcome = .succeeded
        case (nil, .exited(let code)): outcome = .failed(exitCode: code)
        case (nil, .signalled(let signal)): outcome = .signalled(signal)
        }
        let summary = recorder.summary
        return HookResult(
            outcome: outcome,
            startedAt: startedAt,
            finishedAt: Date(),
            stdoutTail: summary.stdoutTail,
            stderrTail: summary.stderrTail,
            outputBytes: summary.outputBytes,
            process: process,
            logFailure: summary.logFailure
        )
    }

    /// Reads both pipes until the leader exits, enforcing the timeout and the control; returns after SIGKILL to the
    /// whole group, with the leader exited but not reaped. `onStart` runs once the control can reach the group (a
    /// `kill()` while it records the process signals the group at once) and the timeout runs.
    private func supervise(_ process: HookProcess) -> StopCause? {
        let group = hook.pid
        // Without an eventfd (fd limit), requests are seen at the next 50 ms poll; without a pidfd (Linux < 5.3),
        // the leader is checked every `leaderPollInterval`, and every millisecond once its pipes have ended.
        let wakeup = sidecar_wakeup_fd()
        let leader = usesPidfd ? sidecar_pidfd_open(hook.pid) : -1
        var streams = [OpenStream(fd: hook.stdout, stream: .stdout), OpenStream(fd: hook.stderr, stream: .stderr)]
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readSize, alignment: 16)
        defer {
            buffer.deallocate()
            if wakeup >= 0 { close(wakeup) }
            if leader >= 0 { close(leader) }
        }
        control.attach(processGroup: group) { _ in
            guard wakeup >= 0 else { return }
            var one: UInt64 = 1
            _ = write(wakeup, &one, 8)
        }
        defer { control.detach() }

        let clock = ContinuousClock()
        let timeoutAt = invocation.timeout.map { spawnedAt + $0 }
        onStart(process)
        var graceAt: ContinuousClock.Instant?
        var cause: StopCause?
        var handled = HookControl.Request.none

        func stop(_ why: StopCause) {
            guard cause == nil else { return }
            cause = why
            ProcessGroup.send(SIGTERM, to: group)
            // A stopped process only sees the SIGTERM once continued.
            ProcessGroup.send(SIGCONT, to: group)
            graceAt = clock.now + invocation.grace
        }

        while true {
            var fds = streams.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let leaderIndex = fds.count
            if leader >= 0 { fds.append(pollfd(fd: leader, events: Int16(POLLIN), revents: 0)) }
            let wakeupIndex = fds.count
            if wakeup >= 0 { fds.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)) }
            var wait = Self.milliseconds(until: cause == nil ? timeoutAt : graceAt, clock: clock)
            if leader < 0 { wait = Self.shorter(wait, streams.isEmpty ? 1 : Self.milliseconds(leaderPollInterval)) }
            if wakeup < 0 { wait = Self.shorter(wait, 50) }
            if poll(&fds, nfds_t(fds.count), wait) < 0 && errno != EINTR {
                // Cannot poll any more (ENOMEM): end the hook rather than spin, and wait for its leader to exit.
                cause = cause ?? .interrupted
                ProcessGroup.send(SIGKILL, to: group)
                var info = siginfo_t()
                while waitid(P_PID, id_t(hook.pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
                break
            }

            if wakeup >= 0 && fds[wakeupIndex].revents != 0 {
                // Reset the counter before reading the request, so that a request made after this read wakes the
                // next poll.
                var count: UInt64 = 0
                _ = read(wakeup, &count, 8)
            }
            let request = control.request
            if request > handled {
                handled = request
                switch request {
                case .interrupt: stop(.interrupted)
                case .kill:
                    cause = cause ?? .interrupted
                    ProcessGroup.send(SIGKILL, to: group)
                case .none: break
                }
            }

            for index in streams.indices.reversed() where fds[index].revents != 0 {
                if !streams[index].readOnce(into: buffer, recorder: recorder) {
                    streams.remove(at: index)
                }
            }

            let leaderExited = leader >= 0 ? fds[leaderIndex].revents != 0 : ProcessGroup.childHasExited(hook.pid)
            if leaderExited {
                // Everything the leader wrote is in the pipes now. Its group's stragglers (a grandchild holding a
                // pipe, or still writing) die with it; then what is left in the pipes is read.
                ProcessGroup.send(SIGKILL, to: group)
                for stream in streams {
                    stream.drain(into: buffer, recorder: recorder, limit: Self.drainLimit)
                }
                break
            }

            let now = clock.now
            if cause == nil, let timeoutAt, now >= timeoutAt { stop(.timedOut) }
            if let at = graceAt, now >= at {
                ProcessGroup.send(SIGKILL, to: group)
                graceAt = nil
            }
        }
        for stream in streams { stream.close(recorder: recorder) }
        return cause
    }
}

extension HookSupervisor {
    /// Milliseconds from now until `instant`, rounded up (so a deadline is never polled for early); -1 (no limit)
    /// without one.
    static func milliseconds(until instant: ContinuousClock.Instant?, clock: ContinuousClock) -> Int32 {
        guard let instant else { return -1 }
        return milliseconds(clock.now.duration(to: instant))
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        let whole = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let rest = attoseconds % 1_000_000_000_000_000 == 0 ? 0 : 1
        return Int32(clamping: whole + Int64(rest))
    }

    /// The shorter of two poll waits (-1 meaning none).
    static func shorter(_ a: Int32, _ b: Int32) -> Int32 {
        a < 0 ? b : (b < 0 ? a : min(a, b))
    }
}

/// One of the hook's pipes, still open on the parent's side.
struct OpenStream {
    var fd: Int32
    var stream: HookStream

    /// Reads what one `read` gives; `false` once the stream has ended (end of file or a read error), after closing it.
    func readOnce(into buffer: UnsafeMutableRawBufferPointer, recorder: OutputRecorder) -> Bool {
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                recorder.record(UnsafeRawBufferPointer(rebasing: buffer[..<count]), from: stream)
                return true
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return true }
            // End of file, or a read error: what was read is kept and the hook's exit status still decides.
            close(recorder: recorder)
            return false
        }
    }

    /// Reads what the pipe holds now, up to `limit` bytes.
    func drain(into buffer: UnsafeMutableRawBufferPointer, recorder: OutputRecorder, limit: Int) {
        var total = 0
        while total < limit {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                recorder.record(UnsafeRawBufferPointer(rebasing: buffer[..<count]), from: stream)
                total += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// Closes the pipe; the stream's unterminated last line goes to the sink.
    func close(recorder: OutputRecorder) {
        _ = Glibc.close(fd)
        recorder.finish(stream)
    }
}
