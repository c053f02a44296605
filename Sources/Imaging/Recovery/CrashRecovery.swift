import DCS
import Foundation
import Hooks
import JobStore
import Postgres

/// Crash recovery (SPEC §7), at daemon start and every cycle: every running job whose owner is gone (pid dead,
/// another boot, lease expired) is taken back, and what the dead owner left behind is cleaned up, each step an event
/// in the job's history:
///
/// 1. its open attempt is closed as `interrupted` and the job is queued again (``JobQueue/reconcile(isAlive:now:)``);
/// 2. the recorded hook process group is killed if its leader still runs with the recorded start time (a pid reused by
///    another program, or recorded on another host or before the last boot, is never signalled), and sidecar waits
///    for the group to be gone;
/// 3. a PostgreSQL server the job had started in the data dir is stopped (nothing is wiped under a live postmaster);
/// 4. a job that was bootstrapping releases `initialize` if this node set it to `""`, and its data dir is moved aside
///    as after a failed bootstrap (SPEC §4) — unless its cluster was complete (``CompletedBootstrap``: only the
///    publication was left), which is kept with `initialize` for the job's next pass to publish; any other job's
///    data dir is left for the next pass, which re-images it (SPEC §2: interrupted) or, when its copy had finished,
///    starts it again.
///
/// Never throws: a step that cannot be done is recorded and logged; the next cycle's pass tries the job again.
public struct CrashRecovery: Sendable {
    public var context: ImagingContext
    /// How long to wait for a killed hook group to disappear.
    public var killWait: Duration

    public init(context: ImagingContext, killWait: Duration = .seconds(5)) {
        self.context = context
        self.killWait = killWait
    }

    private var configuration: ImagingConfiguration { context.configuration }

    /// Takes back every orphaned job and cleans up after it; returns what the job store reconciled.
    @discardableResult
    public func run() async -> [Reconciliation] {
        let reconciled: [Reconciliation]
        do {
            // This process's own jobs are its worker's: a late lease renewal (a busy machine) is not a crash.
            reconciled = try context.queue.reconcile(sparing: context.queue.owner, now: context.now())
        } catch {
            context.logger.error("could not reconcile jobs: \(error)")
            return []
        }
        for done in reconciled {
            await cleanUp(after: done)
        }
        await settleCompletedBootstrap()
        return reconciled
    }

    /// A record of a complete bootstrap whose job has ended (a cancel while it was queued, a crash between the job's
    /// end and the record's removal, a cancel that stayed after crash recovery): removed after a success; after a
    /// failure or a cancel the unpublished cluster is cleaned up as SPEC §4 says. A record of a job that no longer
    /// exists (pruned) is only removed. A queued or running job's record is its own business.
    private func settleCompletedBootstrap() async {
        guard let record = CompletedBootstrap.current(stateDirectory: configuration.stateDirectory) else { return }
        guard let job = try? context.history.job(id: record.jobID), record.belongs(to: job) else {
            CompletedBootstrap.remove(stateDirectory: configuration.stateDirectory)
            context.logger.info("removed the record of a bootstrap whose job \(record.jobID) no longer exists")
            return
        }
        switch job.state {
        case .queued, .running:
            return
        case .succeeded:
            CompletedBootstrap.remove(stateDirectory: configuration.stateDirectory)
        case .failed, .cancelled:
            guard job.dataDirectory == configuration.postgres.dataDirectory else {
                CompletedBootstrap.remove(stateDirectory: configuration.stateDirectory)
                return
            }
            // Not while another job (a reinit, a retry) works in the data dir: that job owns it now.
            guard (try? context.history.unfinishedJob(dataDirectory: job.dataDirectory)) == nil else { return }
            let instance = LocalInstance(configuration: configuration, runner: context.runner, logger: context.logger)
            await BootstrapCleanup(context: context, instance: instance).abandon(jobID: job.id, record: record)
        }
    }

    private func cleanUp(after done: Reconciliation) async {
        let job = done.job.id
        let attempt = done.interruptedAttemptID.map { "; attempt \($0) closed as interrupted" } ?? ""
        context.event(job, "crash recovery: the job's owner (\(done.previousOwner)) is gone (\(done.reason.rawValue))\(attempt)")
        if let process = done.hookProcess {
            let owner = done.previousOwner
            if owner.host != ProcessIdentity.hostName() {
                context.event(job, "the hook ran on host \(owner.host), not this one; not signalled")
            } else if owner.bootID != ProcessIdentity.bootID() {
                // After a reboot a new process may have the recorded pid and even the same start tick: never signal.
                context.event(job, "the hook ran before this host's last boot; nothing of it can still run; not signalled")
            } else {
                await stopHookGroup(process, job: job)
            }
        }
        guard done.job.dataDirectory == configuration.postgres.dataDirectory else { return }
        var bootstrapping = wasBootstrapping(job)
        if bootstrapping,
            let complete = CompletedBootstrap.read(stateDirectory: configuration.stateDirectory, job: done.job)
        {
            // Its cluster was complete and being published: kept, and the job's next pass publishes it.
            context.event(
                job,
                "the interrupted bootstrap had completed its cluster (system identifier \(complete.systemIdentifier)): kept with this "
                    + "node's initialize; the job's next pass publishes it")
            bootstrapping = false
        }
        await stopLeftoverServer(job: job, bootstrapping: bootstrapping)
        if bootstrapping {
            await releaseInitialize(job: job)
            moveAside(job: job)
        } else {
            describeDataDirectory(job: job)
        }
        context.event(
            job, done.job.state == .cancelled ? "crash recovery done; the job stays cancelled" : "crash recovery done; the job is queued again")
    }

    // MARK: - The hook's process group

    /// Kills the recorded group (checked against the leader's start time), then waits for it to be gone.
    func stopHookGroup(_ recorded: AttemptProcess, job: Int64) async {
        let process = HookProcess(pid: recorded.pid, processGroup: recorded.processGroup, startTime: UInt64(max(recorded.startTime, 0)))
        if let current = HookProcess.startTime(of: process.pid), current != process.startTime, !process.isAlive {
            context.event(
                job,
                "hook pid \(process.pid) now belongs to another process (started at tick \(current), the hook at \(process.startTime)); "
                    + "not signalled")
            return
        }
        guard process.killGroupIfAlive(signal: SIGKILL) else {
            context.event(job, "the hook's process group \(process.processGroup) had already exited")
            return
        }
        let deadline = ContinuousClock.now + killWait
        while ContinuousClock.now < deadline, process.killGroupIfAlive(signal: SIGKILL) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.killGroupIfAlive(signal: SIGKILL) {
            context.event(job, "killed the hook's process group \(process.processGroup), but some of it still runs after \(killWait)")
        } else {
            context.event(job, "killed the hook's process group \(process.processGroup) (pid \(process.pid)) left by the previous owner")
        }
    }

    // MARK: - The data dir

    /// Whether the job's latest decision was a bootstrap this node won (and no later event ended it).
    private func wasBootstrapping(_ job: Int64) -> Bool {
        let decisions = [RaceOutcome.won.event, "bootstrap interrupted", "trying to bootstrap from", "trying to bootstrap (without leader)"]
        let events = (try? context.history.detail(jobID: job).events.map(\.message)) ?? []
        let last = events.last { event in decisions.contains { event.hasPrefix($0) } }
        return last == RaceOutcome.won.event
    }

    /// Stops a server left running in the data dir by the interrupted job: `immediate` for a bootstrap (its data dir
    /// goes aside), `fast` otherwise. A data dir is never wiped while a live postmaster owns it.
    private func stopLeftoverServer(job: Int64, bootstrapping: Bool) async {
        let directory = DataDirectory(path: configuration.postgres.dataDirectory)
        guard let pid = directory.livePostmasterPID() else { return }
        let instance = LocalInstance(configuration: configuration, runner: context.runner, logger: context.logger)
        let mode: PgCtl.StopMode = bootstrapping ? .immediate : .fast
        do {
            try await instance.stop(mode: mode)
            context.status.update { $0.instance = .stopped }
            context.event(job, "stopped PostgreSQL (pid \(pid), -m \(mode.rawValue)) left running in the data dir by the interrupted job")
        } catch {
            context.event(job, "could not stop PostgreSQL (pid \(pid)) left running in the data dir: \(error); the data dir is not touched")
        }
    }

    /// Deletes `initialize` when it is `""` and this node set it (its owner key names this node, or has expired).
    private func releaseInitialize(job: Int64) async {
        do {
            let view = try await context.dcs.cluster()
            guard view.initialize == "" else { return }
            guard view.initializeOwner == nil || view.initializeOwner == configuration.name else {
                context.event(job, "initialize is held by '\(view.initializeOwner ?? "")', not this node; left alone")
                return
            }
            try await context.dcs.cancelInitialize()
            context.event(job, "released initialize (set to \"\" by this node's interrupted bootstrap)")
        } catch {
            context.event(job, "could not release initialize: \(error); the next pass releases it")
        }
    }

    /// A bootstrap's data dir goes aside as after a failed bootstrap, so the next pass starts from an empty one.
    private func moveAside(job: Int64) {
        let directory = DataDirectory(path: configuration.postgres.dataDirectory)
        do {
            switch try directory.moveAside(keepFailed: configuration.keepFailed, stateDirectory: configuration.stateDirectory) {
            case .moved(let path): context.event(job, "moved the interrupted bootstrap's data dir aside to \(path)")
            case .wiped(let reason): context.event(job, "wiped the interrupted bootstrap's data dir (\(reason))")
            case .absent: break
            }
        } catch {
            context.event(job, "could not move the interrupted bootstrap's data dir aside: \(error)")
        }
    }

    /// Records what the next pass will do with the data dir (SPEC §2).
    private func describeDataDirectory(job: Int64) {
        let directory = DataDirectory(path: configuration.postgres.dataDirectory)
        switch try? directory.state(imagingUnfinished: true) {
        case .valid?: context.event(job, "the data dir is a valid cluster; the next pass starts it again or re-images it")
        case .interrupted?: context.event(job, "the data dir is left half-imaged (interrupted); the next pass re-images it")
        case .empty?: context.event(job, "the data dir is empty; the next pass images it")
        case .foreign?, nil: break
        }
    }
}
