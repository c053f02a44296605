import DCS
import Foundation
import Hooks
import JobStore
import Postgres

/// Runs one claimed job to its next resting point: finished, failed, cancelled, or queued again for a later
/// cycle. Renews the job's lease while it runs, and stops the running hook when the job is cancelled or the
/// lease is lost. Never throws: what went wrong is recorded in the job's history.
public struct JobExecutor: Sendable {
    public var context: ImagingContext

    /// How a failed bootstrap's error starts (the cycle lets the node race again after it).
    public static let bootstrapFailurePrefix = "bootstrap failed at "

    public init(context: ImagingContext) {
        self.context = context
    }

    private var configuration: ImagingConfiguration { context.configuration }
    private var instance: LocalInstance { LocalInstance(configuration: configuration, runner: context.runner, logger: context.logger) }

    /// How the job's run ended, for the worker and the status.
    public enum Ending: Sendable, Equatable {
        case succeeded
        case failed(String)
        case requeued(notBefore: Date)
        case cancelled
        case leaseLost
    }

    /// Runs `claim` with `control` (the worker interrupts it when the daemon stops).
    public func execute(_ claim: JobQueue.Claim, control: HookControl) async -> Ending {
        let job = claim.job
        context.status.update { $0.currentJob = NodeStatus.CurrentJob(id: job.id, kind: job.kind.rawValue) }
        defer { context.status.update { $0.currentJob = nil } }
        let renewal = LeaseKeeper(queue: context.queue, lease: claim.lease, control: control, now: context.now)
        let step: Step = await withTaskGroup(of: Step?.self) { group in
            group.addTask {
                await renewal.run(); return nil
            }
            let step = await self.run(job, lease: claim.lease, control: control)
            group.cancelAll()
            return step
        }
        let ending = settle(step, job: job, lease: claim.lease, renewal: renewal)
        await endCompletedBootstrap(of: job, ending: ending)
        context.status.update {
            $0.lastFinishedJobID = job.id
            $0.lastFinishedOutcome = "\(ending)"
        }
        return ending
    }

    /// A record of the job's complete bootstrap outlives the job's passes until it ends: removed after a success;
    /// after a failure or a cancel the unpublished cluster is cleaned up as SPEC §4 says, so `initialize` is not left
    /// held by a cluster nobody will publish.
    private func endCompletedBootstrap(of job: Job, ending: Ending) async {
        guard let complete = CompletedBootstrap.read(stateDirectory: configuration.stateDirectory, job: job) else { return }
        switch ending {
        case .succeeded:
            CompletedBootstrap.remove(stateDirectory: configuration.stateDirectory)
        case .failed, .cancelled:
            context.event(job.id, "the job ended before its bootstrapped cluster was published: cleaning up")
            await BootstrapCleanup(context: context, instance: instance).abandon(jobID: job.id, record: complete)
        case .requeued, .leaseLost:
            break
        }
    }

    // MARK: - The job's work

    /// Where a run stopped, before it is written to the queue.
    enum Step: Sendable, Equatable {
        case done
        case failed(String)
        /// Queue again; `failedPass` counts towards `max_cycles`.
        case again(after: Duration, reason: String?, failedPass: Bool)
        case interrupted
    }

    private func run(_ job: Job, lease: JobLease, control: HookControl) async -> Step {
        do {
            return try await work(job, lease: lease, control: control)
        } catch let error as JobStoreError {
            context.logger.error("job \(job.id): \(error)")
            return .interrupted
        } catch let error as DCSError where error.code == .unreachable {
            context.event(job.id, "DCS unreachable (\(error.message)); waiting for the next cycle")
            return .again(after: configuration.loopWait, reason: "DCS unreachable", failedPass: false)
        } catch {
            context.event(job.id, "could not run the job: \(error)")
            return .failed("\(error)")
        }
    }

    private func work(_ job: Job, lease: JobLease, control: HookControl) async throws -> Step {
        let directory = DataDirectory(path: configuration.postgres.dataDirectory)
        let firstRun = job.cycle <= 1 && job.attemptCount == 0
        var state = try directory.state(imagingUnfinished: true)

        // An earlier pass of this job completed a bootstrap but did not finish publishing it: publish it now.
        if let complete = CompletedBootstrap.read(stateDirectory: configuration.stateDirectory, job: job) {
            if state == .valid {
                let pipeline = BootstrapPipeline(
                    context: context, job: job, lease: lease, control: control, instance: instance,
                    bootstrap: configuration.bootstrap ?? BootstrapConfiguration())
                return bootstrapStep(try await pipeline.resumePublishing(complete))
            }
            context.event(job.id, "the cluster an earlier pass bootstrapped is gone (the data dir is \(state)); starting over")
            guard await BootstrapCleanup(context: context, instance: instance).abandon(jobID: job.id, record: complete) else {
                return .again(after: configuration.loopWait, reason: "DCS unreachable", failedPass: false)
            }
            state = try directory.state(imagingUnfinished: true)
        }

        if job.kind == .replica && firstRun && state == .valid {
            // reinit: stop the local instance, then the chain wipes and re-images.
            if try await instance.isRunning() {
                try await instance.stop(mode: .fast)
                context.event(job.id, "stopped the local instance for reinit")
            }
            context.status.update { $0.instance = .stopped }
            state = .interrupted
        }
        switch state {
        case .foreign:
            return .failed("data dir is not empty and not a PostgreSQL cluster; run `sidecar reinit`")
        case .valid:
            let attempts = try context.history.attempts(jobID: job.id)
            if let last = attempts.last, last.outcome == .succeeded, job.kind != .bootstrap {
                context.event(job.id, "the copy of an earlier pass is kept; starting it again")
                return try await startAgain(job, lease: lease, control: control)
            }
            if job.kind == .image && attempts.isEmpty {
                context.event(job.id, "data dir is already a valid cluster; nothing to image")
                return .done
            }
            context.event(job.id, "data dir left by an unfinished imaging; re-imaging it")
        case .empty, .interrupted:
            break
        }

        var view = try await context.dcs.cluster()
        if view.initialize == "" && view.initializeOwner == configuration.name {
            // Only this job could be bootstrapping this node's data dir, and it is not: a bootstrap died and crash
            // recovery could not release the key then.
            try await context.dcs.cancelInitialize()
            context.event(job.id, "released initialize (set to \"\" by this node's earlier, interrupted bootstrap)")
            view = try await context.dcs.cluster()
        }
        let decider = configuration.decider
        let decision: ImagingDecision
        if job.options.fromLeader {
            decision = decider.decideFromLeader(view)
        } else if job.kind == .replica {
            var replicaOnly = decider
            replicaOnly.hasBootstrap = false
            decision = replicaOnly.decide(view)
        } else {
            decision = decider.decide(view)
        }
        context.event(job.id, decision.event)

        switch decision {
        case .wait:
            return .again(after: configuration.loopWait, reason: nil, failedPass: false)
        case .raceForBootstrap:
            guard let bootstrap = configuration.bootstrap else { return .again(after: configuration.loopWait, reason: nil, failedPass: false) }
            let won = try await context.dcs.raceInitialize()
            context.event(job.id, (won ? RaceOutcome.won : RaceOutcome.lost).event)
            guard won else { return .again(after: configuration.loopWait, reason: nil, failedPass: false) }
            let pipeline = BootstrapPipeline(context: context, job: job, lease: lease, control: control, instance: instance, bootstrap: bootstrap)
            return bootstrapStep(try await pipeline.run())
        case .clone(let source, _, let methods):
            return try await chainPass(job, lease: lease, control: control, source: source, methods: methods)
        case .cloneWithoutLeader(let methods):
            return try await chainPass(job, lease: lease, control: control, source: nil, methods: methods)
        }
    }

    private func bootstrapStep(_ result: BootstrapPipeline.Result) -> Step {
        switch result {
        case .succeeded: .done
        case .failed(let step, let reason): .failed("\(Self.bootstrapFailurePrefix)\(step): \(reason)")
        case .interrupted: .interrupted
        case .postponed(let reason): .again(after: configuration.loopWait, reason: "bootstrap publication postponed: \(reason)", failedPass: false)
        }
    }

    private func chainPass(_ job: Job, lease: JobLease, control: HookControl, source: Member?, methods: [String]) async throws -> Step {
        await publish(state: Member.State.creatingReplica)
        let chain = ReplicaChain(context: context, lease: lease, control: control, instance: instance)
        return try await conclude(chain.runPass(source: source, methods: methods), job: job)
    }

    private func startAgain(_ job: Job, lease: JobLease, control: HookControl) async throws -> Step {
        let view = try? await context.dcs.cluster()
        let source = view.flatMap { configuration.decider.cloneSource($0) { Int.random(in: 0..<$0) }?.member }
        let chain = ReplicaChain(context: context, lease: lease, control: control, instance: instance)
        return try await conclude(chain.retryStart(source: source), job: job)
    }

    private func conclude(_ result: ReplicaChain.PassResult, job: Job) async throws -> Step {
        switch result {
        case .succeeded:
            context.status.update { $0.instance = .replica }
            await publish(state: Member.State.running, role: "replica")
            if configuration.afterImaging == .stopped {
                try await instance.stop(mode: .fast)
                context.status.update { $0.instance = .stopped }
                context.event(job.id, "stopped the instance cleanly (sidecar.after_imaging: stopped)")
            }
            return .done
        case .startFailed(_, let reason):
            await publish(state: Member.State.stopped)
            return .again(after: configuration.loopWait, reason: "start failed: \(reason)", failedPass: false)
        case .allFailed(let summary):
            await publish(state: Member.State.replicaFailed)
            return .again(after: configuration.loopWait, reason: "every replica method failed: \(summary)", failedPass: true)
        case .interrupted:
            return .interrupted
        }
    }

    private func publish(state: String, role: String = "uninitialized") async {
        context.status.update { $0.memberState = state }
        do {
            try await context.dcs.touchMember(MemberRecord.build(configuration, state: state, role: role))
        } catch {
            context.logger.debug("could not publish member state: \(error)")
        }
    }

    // MARK: - Writing the ending

    private func settle(_ step: Step, job: Job, lease: JobLease, renewal: LeaseKeeper) -> Ending {
        let now = context.now()
        do {
            if renewal.wasLost {
                context.logger.warning("job \(job.id): lease lost; another process owns it now")
                return .leaseLost
            }
            switch step {
            case .done:
                try context.queue.finish(lease, now: now)
                return .succeeded
            case .failed(let message):
                try context.queue.fail(lease, error: message, now: now)
                return .failed(message)
            case .interrupted:
                if renewal.cancelRequested {
                    try context.queue.acknowledgeCancel(lease, now: now)
                    return .cancelled
                }
                try context.queue.requeue(lease, notBefore: now, error: "interrupted: sidecar is stopping", now: now)
                return .requeued(notBefore: now)
            case .again(let after, let reason, let failedPass):
                var wait = after
                if failedPass {
                    let policy = ChainRetryPolicy(
                        loopWait: configuration.loopWait, backoffMax: configuration.backoffMax, maxCycles: configuration.maxCycles)
                    let passes = try failedPasses(job.id)
                    switch policy.next(afterFailedPasses: passes) {
                    case .giveUp(let message):
                        let full = "\(message); last pass: \(reason ?? "")"
                        try context.queue.fail(lease, error: full, now: now)
                        return .failed(full)
                    case .retry(let next):
                        wait = next
                        context.event(job.id, "chain pass \(passes) failed; the next pass starts in \(wait)")
                    }
                }
                let notBefore = now.addingTimeInterval(wait.seconds)
                try context.queue.requeue(lease, notBefore: notBefore, error: reason, now: now)
                return .requeued(notBefore: notBefore)
            }
        } catch {
            context.logger.error("job \(job.id): could not record its end: \(error)")
            return .leaseLost
        }
    }

    /// Chain passes of this job in which every attempt failed.
    private func failedPasses(_ jobID: Int64) throws -> Int {
        let attempts = try context.history.attempts(jobID: jobID)
        let byCycle = Dictionary(grouping: attempts, by: \.cycle)
        return byCycle.values.filter { cycle in !cycle.contains { $0.outcome == .succeeded } }.count
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
