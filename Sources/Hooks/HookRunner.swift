import Foundation
import Subprocess
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one resolved hook: its own process group, stdin `/dev/null`, the invocation's working directory and exact
/// environment, both output streams read as they come, a timeout and a stop that reach the whole group (SPEC §6).
///
/// `run` never throws: every ending, including a hook that could not be started, is a ``HookOutcome`` in the
/// returned ``HookResult``. Memory stays bounded whatever the hook prints (tails of `tailBytes`, lines handed
/// to the sink in pieces of at most ``maxLineBytes``).
public struct HookRunner: Sendable {
    /// Longest piece of one line handed to a ``HookOutputSink``; longer lines arrive in several pieces.
    public var maxLineBytes: Int
    /// How often the runner checks whether the hook's leader has exited while a grandchild keeps its pipes busy.
    var leaderPollInterval: Duration = .milliseconds(100)

    public init(maxLineBytes: Int = 64 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// Runs `invocation` to its end and returns what happened; never throws.
    ///
    /// - Parameters:
    ///   - sink: receives every output line of both streams, one call at a time.
    ///   - control: stops the hook from elsewhere (``HookControl/interrupt()``, ``HookControl/kill()``).
    ///   - onStart: called once, as soon as the child exists, with its pid, process group and start time
    ///     (record them so that a restarted daemon can kill an orphaned group).
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
        // The child runs in a task of its own so that the caller's cancellation does not reach swift-subprocess
        // (which would SIGKILL only the direct child, at once) nor cut the output short: it becomes an
        // interrupt, which stops the whole group with the grace period.
        let execution = Task { [self] in
            await self.execute(invocation, sink: sink, control: control, onStart: onStart)
        }
        return await withTaskCancellationHandler {
            await execution.value
        } onCancel: {
            control.interrupt()
        }
    }

    private func execute(
        _ invocation: HookInvocation,
        sink: (any HookOutputSink)?,
        control: HookControl,
        onStart: @escaping @Sendable (HookProcess) -> Void
    ) async -> HookResult {
        let startedAt = Date()
        func ended(_ outcome: HookOutcome) -> HookResult {
            HookResult(outcome: outcome, startedAt: startedAt, finishedAt: Date())
        }
        if control.isInterrupted { return ended(.interrupted) }
        var log: HookOutputLog?
        if let path = invocation.logPath {
            do {
                log = try HookOutputLog(path: path)
            } catch {
                return ended(.notRun(reason: error.message))
            }
        }
        let recorder = OutputRecorder(tailBytes: invocation.tailBytes, maxLineBytes: maxLineBytes, sink: sink, log: log)

        var options = PlatformOptions()
        options.processGroupID = 0
        let configuration = Configuration(
            executable: .path(FilePath(invocation.executable)),
            arguments: Arguments(invocation.arguments),
            // Raw entries keep the environment exact; swift-subprocess strdup()s them, so each needs its NUL.
            environment: .custom(invocation.environment.map { Array("\($0.key)=\($0.value)".utf8) + [0] }),
            workingDirectory: FilePath(invocation.workingDirectory),
            platformOptions: options
        )
        let started = StartedProcess()
        let status: TerminationStatus
        let cause: StopCause?
        do {
            let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
                let pid = execution.processIdentifier.value
                let process = HookProcess(pid: pid, processGroup: pid, startTime: ProcStat.read(pid: pid)?.startTime ?? 0)
                started.set(process)
                onStart(process)
                return await self.supervise(
                    execution, process: process, invocation: invocation, recorder: recorder, control: control)
            }
            status = result.terminationStatus
            cause = result.closureResult
        } catch {
            let reason = Self.whyNotRun(invocation, error: error, started: started.value != nil)
            var result = ended(.notRun(reason: reason))
            result.process = started.value
            return result
        }

        let outcome: HookOutcome
        switch (cause, status) {
        case (.timedOut, _): outcome = .timedOut
        case (.interrupted, _): outcome = .interrupted
        case (nil, .exited(0)): outcome = .succeeded
        case (nil, .exited(let code)): outcome = .failed(exitCode: code)
        case (nil, .signaled(let signal)): outcome = .signalled(signal)
        }
        let summary = recorder.summary
        return HookResult(
            outcome: outcome,
            startedAt: startedAt,
            finishedAt: Date(),
            stdoutTail: summary.stdoutTail,
            stderrTail: summary.stderrTail,
            outputBytes: summary.outputBytes,
            process: started.value,
            logFailure: summary.logFailure
        )
    }
}
