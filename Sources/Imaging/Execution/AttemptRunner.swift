import Foundation
import Hooks
import JobStore
import Logging

/// Runs one method of a job as a recorded attempt: opens the attempt row, runs the hook through ``HookRunner``,
/// records its process, its progress and its end. The hook's outcome is the returned value; only a job store
/// failure (the lease lost, the database unwritable) throws.
struct AttemptRunner: Sendable {
    /// What one attempt is.
    struct Plan: Sendable {
        var position: Int
        var method: String
        /// The command as configured (for the record).
        var command: String?
        /// The full argv as it will run (argv[0] the resolved executable, or the command word when not resolvable).
        var argv: [String]
        var cloneSource: String?
        /// Why it will not run (a resolution failure), or `nil` to run it.
        var notRunReason: String?
        /// `PGPASSFILE` for the hook, when it connects somewhere.
        var pgpassFile: String?
        /// Variables set on top of sidecar's environment (e.g. `PGOPTIONS` for post_bootstrap).
        var extraEnvironment: [String: String] = [:]
        var timeout: Duration?
        /// Standard input closed; working directory.
        var workingDirectory: String
    }

    var context: ImagingContext
    var lease: JobLease
    var control: HookControl

    /// What a launch gets to run the attempt's process with: the sink, the stop control, the log file and the
    /// callback that records the started process.
    struct Launch: Sendable {
        var environment: [String: String]
        var sink: any HookOutputSink
        var control: HookControl
        var logPath: String
        var onStart: @Sendable (HookProcess) -> Void
    }

    /// An attempt whose method has ended but whose end is not written yet: the caller writes it with the next
    /// attempt's open (one synced commit for both) or alone with ``close(_:)``, before anything else happens.
    struct PendingClose: Sendable {
        var attemptID: Int64
        var end: AttemptEnd
    }

    /// What ``run(_:closing:)`` leaves: the hook's result and its attempt's end, still to be written.
    struct Ran: Sendable {
        var result: HookResult
        var pending: PendingClose
    }

    /// Records and runs `plan` as a hook (argv[0] the resolved executable), and closes its attempt. Throws
    /// `JobStoreError` only.
    func run(_ plan: Plan) async throws(JobStoreError) -> HookResult {
        let ran = try await run(plan, closing: nil)
        try close(ran.pending)
        return ran.result
    }

    /// Records and runs `plan` as a hook, writing `previous` (the attempt before, ended) in the same commit as
    /// this attempt's open; leaves this attempt's end to the caller. Throws `JobStoreError` only.
    func run(_ plan: Plan, closing previous: PendingClose?) async throws(JobStoreError) -> Ran {
        let configuration = context.configuration
        let runner = context.runner
        return try await run(plan, closing: previous) { launch in
            var invocation = HookInvocation(
                executable: plan.argv[0], arguments: Array(plan.argv.dropFirst()), environment: launch.environment,
                workingDirectory: plan.workingDirectory, timeout: plan.timeout, grace: configuration.hookGrace,
                tailBytes: configuration.outputTail)
            invocation.logPath = launch.logPath
            return await runner.run(invocation, sink: launch.sink, control: launch.control, onStart: launch.onStart)
        }
    }

    /// Records `plan`, runs it with `launch` (e.g. the Postgres module's initdb) and closes its attempt. Throws
    /// `JobStoreError` only.
    func run(_ plan: Plan, launch: (Launch) async -> HookResult) async throws(JobStoreError) -> HookResult {
        let ran = try await run(plan, closing: nil, launch: launch)
        try close(ran.pending)
        return ran.result
    }

    /// Writes the end of an attempt left by ``run(_:closing:)``. Throws `JobStoreError` (`.leaseLost`).
    func close(_ pending: PendingClose) throws(JobStoreError) {
        try context.history.closeAttempt(pending.attemptID, lease, pending.end, now: context.now())
    }

    /// Opens the attempt of `start`, closing `previous` in the same commit. When that commit fails for another
    /// reason than a lost lease, `previous` is closed alone before the error is thrown, so its end is never lost.
    ///
    /// The commit is written, not synced: the hook's `onStart` record, right after the spawn, is the synced commit
    /// that makes both durable, while the hook's executable loads (docs/runner.md). Without a spawn, the next
    /// synced commit does (this attempt's close, or the next attempt's start).
    private func open(_ start: AttemptStart, closing previous: PendingClose?) throws(JobStoreError) -> Int64 {
        let history = context.history
        guard let previous else { return try history.openAttempt(lease, start, now: context.now(), synced: false) }
        do {
            return try history.closeAttempt(previous.attemptID, lease, previous.end, opening: start, now: context.now(), synced: false)
        } catch {
            if error.code != .leaseLost { try? close(previous) }
            throw error
        }
    }

    private func run(
        _ plan: Plan, closing previous: PendingClose?, launch: (Launch) async -> HookResult
    ) async throws(JobStoreError) -> Ran {
        let history = context.history
        let now = context.now
        let start = AttemptStart(
            position: plan.position, method: plan.method, command: plan.command, argv: plan.argv, cloneSource: plan.cloneSource)
        let attemptID = try open(start, closing: previous)
        let logPath = context.configuration.logPath(jobID: lease.jobID, attemptID: attemptID)
        let metadata: Logger.Metadata = ["job": "\(lease.jobID)", "attempt": "\(attemptID)", "method": "\(plan.method)"]
        context.logger.info("running \(SecretMask.maskArgv(plan.argv).joined(separator: " "))", metadata: metadata)

        let result: HookResult
        if let reason = plan.notRunReason {
            let at = now()
            result = HookResult(outcome: .notRun(reason: reason), startedAt: at, finishedAt: at)
        } else {
            context.status.update {
                $0.currentJob?.attempt = NodeStatus.RunningAttempt(attemptID: attemptID, method: plan.method, startedAt: now())
            }
            let environment = HookEnvironment.build(
                base: context.environment, pgpassFile: plan.pgpassFile, jobID: "\(lease.jobID)", attempt: Int(attemptID),
                method: plan.method, extra: plan.extraEnvironment)
            let context = self.context
            let lease = self.lease
            let control = self.control
            result = await launch(
                Launch(
                    environment: environment, sink: AttemptSink(context: context, lease: lease, attemptID: attemptID, metadata: metadata),
                    control: control, logPath: logPath,
                    onStart: { process in
                        do {
                            try history.attemptStarted(
                                attemptID, lease,
                                process: AttemptProcess(
                                    pid: process.pid, processGroup: process.processGroup, startTime: Int64(process.startTime)),
                                now: now())
                        } catch {
                            // This commit is also what makes the attempt's open durable: without it the hook would
                            // run unrecorded (and, if this daemon died, unfindable). Stop it; the job's control is
                            // then interrupted, and the job ends this pass as an interrupted one.
                            context.logger.error(
                                "could not record the hook's process (\(error)); stopping the hook", metadata: metadata)
                            control.kill()
                        }
                    }))
            context.status.update { $0.currentJob?.attempt = nil }
        }
        let end = AttemptEnd(
            outcome: AttemptOutcome(rawValue: result.outcome.name) ?? .failed,
            detail: Self.detail(result.outcome),
            exitCode: result.outcome.exitCode,
            signal: result.outcome.signal,
            stdoutTail: result.stdoutTail,
            stderrTail: result.stderrTail,
            outputBytes: result.outputBytes,
            logPath: plan.notRunReason == nil ? logPath : nil,
            finishedAt: now())
        context.logger.info(
            "\(plan.method) ended: \(Self.describe(result.outcome))",
            metadata: metadata.merging(["seconds": "\(String(format: "%.2f", result.finishedAt.timeIntervalSince(result.startedAt)))"]) { $1 })
        return Ran(result: result, pending: PendingClose(attemptID: attemptID, end: end))
    }

    /// The one-line reading of an outcome, as events and errors show it.
    static func describe(_ outcome: HookOutcome) -> String {
        switch outcome {
        case .succeeded: "exit 0"
        case .failed(let code): "exit \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .timedOut: "timed out"
        case .interrupted: "interrupted"
        case .notRun(let reason): "not run: \(reason)"
        }
    }

    private static func detail(_ outcome: HookOutcome) -> String? {
        if case .notRun(let reason) = outcome { return reason }
        return nil
    }
}

/// Receives a running hook's lines: logs each one, keeps the node's status current and, throttled, the attempt row.
private struct AttemptSink: HookOutputSink {
    var context: ImagingContext
    var lease: JobLease
    var attemptID: Int64
    var metadata: Logger.Metadata

    func receive(_ line: HookOutputLine) {
        let text = line.text
        context.logger.info("\(line.stream.rawValue): \(text)", metadata: metadata)
        let bytes = Int64(line.bytes.count + (line.isPartial ? 0 : 1))
        context.status.update {
            $0.currentJob?.attempt?.lastLine = text
            $0.currentJob?.attempt?.outputBytes += bytes
        }
        do {
            _ = try context.history.attemptProgress(attemptID, lease, lastLine: text, now: context.now())
        } catch {
            context.logger.debug("could not record progress: \(error)", metadata: metadata)
        }
    }
}
