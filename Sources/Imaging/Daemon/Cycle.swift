import DCS
import Foundation
import Hooks
import JobStore
import Postgres

/// One pass of the daemon loop (every `loop_wait`): take back jobs whose owner died, look at the DCS and the data
/// dir, publish the member, keep the leader key of a verified primary, renew the node's lease, and enqueue an
/// `image` job when the data dir needs one. Never throws: each problem is logged and shown in the status.
public struct Cycle: Sendable {
    public var context: ImagingContext

    public init(context: ImagingContext) {
        self.context = context
    }

    private var configuration: ImagingConfiguration { context.configuration }

    /// Runs one cycle; returns the job it enqueued, if any.
    @discardableResult
    public func run() async -> Int64? {
        await reconcile()
        let view = await readDCS()
        let instance = LocalInstance(configuration: configuration, runner: context.runner, logger: context.logger)
        let busy = context.status.snapshot.currentJob != nil
        let verified: NodeStatus.Instance = busy ? context.status.snapshot.instance : await instance.verify()
        let enqueued = inspectDataDirectory(busy: busy)
        pruneHistory()
        if view != nil { await publish(instance: verified, view: view!) }
        context.status.update {
            $0.lastCycleAt = context.now()
            if !busy { $0.instance = verified }
            $0.imagedAndVerified =
                !busy
                && (verified == .primary || verified == .replica
                    || (verified == .stopped && configuration.afterImaging == .stopped && $0.dataDirState == DataDirectoryState.valid.rawValue))
        }
        return enqueued
    }

    /// Crash recovery (SPEC §7): jobs whose owner is gone go back to the queue, their hook groups are killed, and what
    /// they left in the data dir and the DCS is dealt with (``CrashRecovery``).
    public func reconcile() async {
        await CrashRecovery(context: context).run()
    }

    private func readDCS() async -> ClusterView? {
        do {
            let view = try await context.dcs.cluster()
            context.status.update {
                $0.dcsBackend = context.dcs.backend
                $0.dcsReachable = true
                $0.dcsError = nil
                $0.leader = view.leader
            }
            return view
        } catch {
            context.logger.warning("DCS unreachable: \(error)")
            context.status.update {
                $0.dcsBackend = context.dcs.backend
                $0.dcsReachable = false
                $0.dcsError = "\(error)"
            }
            return nil
        }
    }

    /// Looks at the data dir; enqueues an `image` job when it is empty or interrupted and none is unfinished.
    private func inspectDataDirectory(busy: Bool) -> Int64? {
        let directory = DataDirectory(path: configuration.postgres.dataDirectory)
        do {
            let unfinished = try context.history.unfinishedJob(dataDirectory: directory.path)
            let state = try directory.state(imagingUnfinished: unfinished != nil)
            context.status.update {
                $0.dataDirState = state.rawValue
                $0.dataDirProblem = state == .foreign ? DataDirectoryState.foreignAdvice : nil
            }
            if state == .foreign && unfinished == nil {
                context.logger.warning("\(directory.path): \(DataDirectoryState.foreignAdvice)")
            }
            guard state.needsImaging, unfinished == nil, !busy else { return nil }
            if let stopped = try imagingStopped(directory.path) {
                context.status.update { $0.dataDirProblem = stopped }
                return nil
            }
            let request = JobRequest(kind: .image, source: .auto, scope: configuration.scope, dataDirectory: directory.path)
            let job = try context.queue.enqueue(request, now: context.now()).job
            return job.id
        } catch {
            context.logger.error("could not inspect the data dir: \(error)")
            context.status.update { $0.dataDirProblem = "\(error)" }
            return nil
        }
    }

    /// Prunes finished history older than `sidecar.retention`, at most once an hour; a failure is logged.
    func pruneHistory() {
        guard let retention = configuration.retention else { return }
        let now = context.now()
        if let last = context.status.snapshot.lastPruneAt, now.timeIntervalSince(last) < 3600 { return }
        context.status.update { $0.lastPruneAt = now }
        do {
            let result = try HistoryPruner(history: context.history, stateDirectory: configuration.stateDirectory)
                .prune(finishedBefore: now.addingTimeInterval(-retention.seconds))
            if result.jobs > 0 {
                context.logger.info("pruned \(result.jobs) finished jobs older than sidecar.retention (\(retention))")
            }
        } catch {
            context.logger.error("could not prune the history: \(error)")
        }
    }

    /// Why no new `image` job may be enqueued: the last one for this data dir was cancelled, gave up after
    /// `max_cycles`, or bootstrap failed `sidecar.bootstrap.max_attempts` times in a row. A failed bootstrap
    /// otherwise races again (another node may win). The operator resumes with `sidecar jobs retry` or `reinit`.
    private func imagingStopped(_ dataDirectory: String) throws -> String? {
        let recent = try context.history.jobs(JobFilter(dataDirectory: dataDirectory, limit: 20))
        guard let last = recent.first, last.state == .failed || last.state == .cancelled else { return nil }
        let bootstrapFailures = recent.prefix { $0.state == .failed && ($0.lastError ?? "").hasPrefix(JobExecutor.bootstrapFailurePrefix) }
        if last.state == .failed && !bootstrapFailures.isEmpty {
            guard let limit = configuration.bootstrap?.maxAttempts, bootstrapFailures.count >= limit else { return nil }
            return "bootstrap failed \(bootstrapFailures.count) times (sidecar.bootstrap.max_attempts = \(limit)); "
                + "fix it, then run `sidecar jobs retry \(last.id)`"
        }
        return "imaging stopped: job \(last.id) \(last.state.rawValue)\(last.lastError.map { " (\($0))" } ?? ""); "
            + "run `sidecar jobs retry \(last.id)` or `sidecar reinit`"
    }

    /// Publishes the member, keeps the leader key of a verified primary, renews the node's lease.
    private func publish(instance: NodeStatus.Instance, view: ClusterView) async {
        let snapshot = context.status.snapshot
        let role: String
        let state: String
        if snapshot.currentJob != nil {
            role = "uninitialized"
            state = snapshot.memberState
        } else {
            switch instance {
            case .primary: (role, state) = ("primary", Member.State.running)
            case .replica: (role, state) = ("replica", Member.State.running)
            case .stopped, .unknown: (role, state) = ("uninitialized", Member.State.stopped)
            }
        }
        do {
            try await context.dcs.touchMember(MemberRecord.build(configuration, state: state, role: role))
            if instance == .primary && snapshot.currentJob == nil && view.leader == nil {
                if try await context.dcs.takeLeader() {
                    context.logger.info("took the leader key for the verified primary")
                }
            }
            try await context.dcs.keepAlive()
        } catch {
            context.logger.warning("could not publish to the DCS: \(error)")
        }
    }
}
