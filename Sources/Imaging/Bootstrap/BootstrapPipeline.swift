import DCS
import Foundation
import Hooks
import JobStore
import Postgres

/// The bootstrap of SPEC §4, run by the node that won the `initialize` race: the method, the recovery it may
/// start, the roles and `post_bootstrap`, then `initialize` = system identifier, `/config`, the leader key.
/// Any failure stops the instance, deletes `initialize`, moves the data dir aside and fails the job. An interruption
/// does the same while the cluster is unfinished; once it is complete (``CompletedBootstrap``) only its publication
/// remains, and an interrupted publication is resumed by the job's next pass (``resumePublishing(_:)``).
struct BootstrapPipeline: Sendable {
    /// How the bootstrap ended (a value: the executor records it and finishes or fails the job).
    enum Result: Sendable, Equatable {
        case succeeded(systemIdentifier: String)
        /// The step that failed and why, already cleaned up after.
        case failed(step: String, reason: String)
        case interrupted
        /// The cluster is complete but could not be published now (a DCS or instance error): kept with its record,
        /// and the job's next pass tries again.
        case postponed(reason: String)
    }

    var context: ImagingContext
    var job: Job
    var lease: JobLease
    var control: HookControl
    var instance: LocalInstance
    var bootstrap: BootstrapConfiguration

    private var configuration: ImagingConfiguration { context.configuration }
    private var dataDirectory: DataDirectory { DataDirectory(path: configuration.postgres.dataDirectory) }

    /// Runs steps 2–6. Throws only when the job store cannot be written.
    func run() async throws(JobStoreError) -> Result {
        try await run { try await steps() }
    }

    /// Runs `work`, then cleans up after a failure or an interruption of an unfinished cluster.
    private func run(_ work: () async throws -> Result) async throws(JobStoreError) -> Result {
        let result: Result
        do {
            result = try await work()
        } catch let error as JobStoreError {
            throw error
        } catch {
            // Before the cluster is complete any error fails the bootstrap; after, it only postpones the publication
            // (a refusal that settles it — another node's initialize or leader — is a `.failed` result, not an error).
            result = completed == nil ? .failed(step: "bootstrap", reason: "\(error)") : .postponed(reason: "\(error)")
        }
        switch result {
        case .succeeded: return result
        case .postponed(let reason):
            context.event(lease.jobID, "could not publish the bootstrapped cluster yet (\(reason)); the job's next pass tries again")
            return result
        case .failed(let step, let reason):
            context.event(lease.jobID, "bootstrap failed at \(step): \(reason)")
            await cleanUp()
            return result
        case .interrupted:
            if let complete = completed {
                context.event(
                    lease.jobID,
                    "bootstrap interrupted while publishing: the complete cluster (system identifier \(complete.systemIdentifier)) is kept; "
                        + "the job's next pass publishes it")
                return result
            }
            context.event(lease.jobID, "bootstrap interrupted")
            await cleanUp()
            return result
        }
    }

    /// This job's complete, not yet published cluster, if there is one.
    private var completed: CompletedBootstrap? {
        CompletedBootstrap.read(stateDirectory: configuration.stateDirectory, job: job)
    }

    /// Publishes the cluster an earlier pass of this job completed (its record is `complete`): starts it if it is
    /// not running, checks it is the recorded one, then step 6. `initialize` must still be this node's `""` (or
    /// absent and won again, or already the cluster's system identifier); if another node initialized the cluster
    /// meanwhile, the bootstrap fails as SPEC §4 says. Throws only when the job store cannot be written.
    func resumePublishing(_ complete: CompletedBootstrap) async throws(JobStoreError) -> Result {
        context.event(lease.jobID, "resuming the publication of the bootstrapped cluster (system identifier \(complete.systemIdentifier))")
        return try await run {
            if try await !instance.isRunning() {
                try await instance.start(jobID: lease.jobID, context: context, wait: true)
            }
            try await instance.waitUntilAcceptingConnections()
            let systemIdentifier = try await instance.systemIdentifier()
            guard systemIdentifier == complete.systemIdentifier else {
                return .failed(
                    step: "resume",
                    reason: "the data dir's system identifier is \(systemIdentifier), not the bootstrapped \(complete.systemIdentifier)")
            }
            guard let view = try await waitingOutDCS("read the DCS", { try await context.dcs.cluster() }) else { return .interrupted }
            if let leader = view.leader, leader != configuration.name {
                return .failed(step: "resume", reason: "'\(leader)' leads the cluster meanwhile")
            }
            switch view.initialize {
            case systemIdentifier?:
                break
            case ""? where view.initializeOwner == nil || view.initializeOwner == configuration.name:
                break
            case nil:
                guard let won = try await waitingOutDCS("race for initialize", { try await context.dcs.raceInitialize() }) else {
                    return .interrupted
                }
                guard won else { return .failed(step: "resume", reason: "another node took initialize meanwhile") }
                context.event(lease.jobID, "initialize was gone; took it again for the bootstrapped cluster")
            case let other?:
                let holder = other.isEmpty ? "is being bootstrapped by '\(view.initializeOwner ?? "?")'" : "was initialized with \(other)"
                return .failed(step: "resume", reason: "the cluster \(holder) meanwhile")
            }
            return try await publish(systemIdentifier)
        }
    }

    private func steps() async throws -> Result {
        // Step 2: the method.
        await setMemberState(bootstrap.custom == nil ? Member.State.initializingNewCluster : Member.State.runningCustomBootstrap)
        let outcome = try await runMethod()
        if control.isInterrupted { return .interrupted }
        guard outcome.isSuccess else {
            return .failed(step: "bootstrap method '\(bootstrap.method)'", reason: AttemptRunner.describe(outcome))
        }
        // Step 3: configuration of the new data dir.
        let recovery = bootstrap.custom?.recoveryConf
        if let recovery {
            let parameters = recovery.map { ConfigParameter($0.key, $0.value.rendered) }
            try dataDirectory.writeRecoveryConfiguration(parameters)
            context.event(lease.jobID, "wrote recovery_conf (\(parameters.map(\.name).joined(separator: ", ")))")
        } else if !(bootstrap.custom?.keepExistingRecoveryConf ?? false) {
            try dataDirectory.removeRecoveryConfiguration()
        }
        if !bootstrap.pgHBA.isEmpty { try dataDirectory.appendHBA(bootstrap.pgHBA) }
        try dataDirectory.addTemporaryLocalTrust(user: configuration.postgres.superuser.username)
        let action = recovery?.last { $0.key == "recovery_target_action" }?.value.rendered.lowercased()
        let promoteRecovery = recovery != nil && action != "pause"
        try dataDirectory.writeParameters(
            configuration.postgres.parameters + (promoteRecovery ? [ConfigParameter("hot_standby", "off")] : []),
            listen: configuration.postgres.listen)

        // Step 4: start, and wait for any recovery to end.
        await setMemberState(bootstrap.custom == nil ? Member.State.starting : Member.State.startingAfterCustomBootstrap)
        // With a recovery to run, do not wait in pg_ctl: `-w` would give up after pg_ctl_timeout on a long replay.
        try await instance.start(jobID: lease.jobID, context: context, wait: recovery == nil)
        if recovery != nil {
            if let failure = try await waitForRecoveryEnd() { return failure }
            try dataDirectory.writeParameters(configuration.postgres.parameters, listen: configuration.postgres.listen)
        }
        try await instance.waitUntilAcceptingConnections()

        // Step 5: roles and post_bootstrap, then the temporary settings go.
        try await instance.setUpRoles()
        context.event(lease.jobID, "superuser password set and replication role '\(configuration.postgres.replication.username)' ready")
        if let command = bootstrap.postBootstrap {
            let outcome = try await runPostBootstrap(command)
            if control.isInterrupted { return .interrupted }
            guard outcome.isSuccess else { return .failed(step: "post_bootstrap", reason: AttemptRunner.describe(outcome)) }
        }
        try dataDirectory.removeRecoveryConfiguration()
        try dataDirectory.removeTemporaryLocalTrust()
        try await instance.reload()

        // The new cluster is complete: from here on an interruption keeps it (recorded durably first).
        let systemIdentifier = try await instance.systemIdentifier()
        try CompletedBootstrap(job: job, systemIdentifier: systemIdentifier).write(stateDirectory: configuration.stateDirectory)
        return try await publish(systemIdentifier)
    }

    /// Step 6: publish. The new cluster exists now: an unreachable DCS is waited out, never a reason to discard it
    /// (SPEC §8: no wipe), and this node still owns `initialize`, so nobody else can bootstrap meanwhile.
    private func publish(_ systemIdentifier: String) async throws -> Result {
        guard try await waitingOutDCS("publish initialize", { try await context.dcs.setInitialize(systemIdentifier) }) != nil else {
            return .interrupted
        }
        if let json = bootstrap.dcsConfigJSON {
            guard let written = try await waitingOutDCS("write /config", { try await context.dcs.writeConfigIfAbsent(json) }) else {
                return .interrupted
            }
            if written { context.event(lease.jobID, "wrote bootstrap.dcs to /config") }
        }
        guard let tookLeader = try await waitingOutDCS("take the leader key", { try await context.dcs.takeLeader() }) else {
            return .interrupted
        }
        guard tookLeader else {
            let holder = (try? await context.dcs.cluster().leader).flatMap { $0 } ?? "another node"
            return .failed(step: "take the leader key", reason: "'\(holder)' holds it")
        }
        context.event(lease.jobID, "took the leader key")
        context.status.update {
            $0.instance = .primary
            $0.memberState = Member.State.running
        }
        let record = MemberRecord.build(configuration, state: Member.State.running, role: "primary")
        guard try await waitingOutDCS("publish the member", { try await context.dcs.touchMember(record) }) != nil else {
            return .interrupted
        }
        context.event(lease.jobID, "bootstrapped cluster with system identifier \(systemIdentifier)")
        if configuration.afterImaging == .stopped {
            try await instance.stop(mode: .fast)
            context.status.update { $0.instance = .stopped }
            context.event(lease.jobID, "stopped the instance cleanly (sidecar.after_imaging: stopped)")
        }
        return .succeeded(systemIdentifier: systemIdentifier)
    }

    /// Runs `call` until the DCS answers (one event when it is unreachable, a retry every `loop_wait`); `nil` when
    /// the job is interrupted meanwhile. Other DCS errors are thrown.
    private func waitingOutDCS<T: Sendable>(_ what: String, _ call: () async throws -> T) async throws -> T? {
        var reported = false
        while true {
            do {
                return try await call()
            } catch let error as DCSError where error.code == .unreachable {
                if !reported {
                    context.event(lease.jobID, "DCS unreachable (\(error.message)); waiting to \(what)")
                    reported = true
                }
                if control.isInterrupted { return nil }
                try? await Task.sleep(for: configuration.loopWait)
                if control.isInterrupted { return nil }
            }
        }
    }

    // MARK: - Method runs

    private func runMethod() async throws -> HookOutcome {
        let runner = AttemptRunner(context: context, lease: lease, control: control)
        guard let custom = bootstrap.custom else {
            let plan = AttemptRunner.Plan(
                position: 0, method: "initdb", command: nil, argv: instance.initdbArgv, pgpassFile: nil, timeout: configuration.hookTimeout,
                workingDirectory: configuration.hooksDirectory)
            let initdb = instance.initdb
            let hookRunner = context.runner
            return try await runner.run(plan) { launch in
                do {
                    return try await initdb.run(
                        runner: hookRunner, sink: launch.sink, control: launch.control, logPath: launch.logPath, onStart: launch.onStart)
                } catch {
                    return HookResult(outcome: .notRun(reason: "\(error)"), startedAt: Date(), finishedAt: Date())
                }
            }.outcome
        }
        var argv: [String]
        var notRun: String?
        do throws(HookError) {
            argv = try PatroniArgv.bootstrap(method: custom, scope: configuration.scope, dataDirectory: dataDirectory.path)
            let resolution = HookResolver(hooksDirectory: configuration.hooksDirectory, path: context.environment["PATH"]).resolve(argv[0])
            if let path = resolution.path { argv[0] = path } else { notRun = resolution.notRunReason }
        } catch {
            argv = [custom.commandLine]
            notRun = error.message
        }
        let plan = AttemptRunner.Plan(
            position: 0, method: custom.name, command: custom.commandLine, argv: argv, notRunReason: notRun, pgpassFile: nil,
            timeout: configuration.timeout(for: custom), workingDirectory: configuration.hooksDirectory)
        return try await runner.run(plan).outcome
    }

    private func runPostBootstrap(_ command: String) async throws -> HookOutcome {
        let connection = try instance.localSuperuserConnection()
        var argv: [String]
        var notRun: String?
        do throws(HookError) {
            argv = try PatroniArgv.postBootstrap(command: command, connstring: connection.connstring.description)
            let resolution = HookResolver(hooksDirectory: configuration.hooksDirectory, path: context.environment["PATH"]).resolve(argv[0])
            if let path = resolution.path { argv[0] = path } else { notRun = resolution.notRunReason }
        } catch {
            argv = [command]
            notRun = error.message
        }
        let plan = AttemptRunner.Plan(
            position: 1, method: "post_bootstrap", command: command, argv: argv, notRunReason: notRun,
            pgpassFile: connection.pgpassFile, extraEnvironment: HookEnvironment.postBootstrapExtra,
            timeout: configuration.hookTimeout, workingDirectory: configuration.hooksDirectory)
        return try await AttemptRunner(context: context, lease: lease, control: control).run(plan).outcome
    }

    // MARK: - Recovery

    /// Waits until a custom bootstrap's recovery ends in promotion; returns a failure when it ends otherwise.
    private func waitForRecoveryEnd() async throws -> Result? {
        let started = ContinuousClock.now
        var lastReport = ContinuousClock.now - .seconds(60)
        context.event(lease.jobID, "waiting for recovery to end")
        while true {
            if control.isInterrupted { return .interrupted }
            if let limit = bootstrap.recoveryTimeout, ContinuousClock.now - started > limit {
                return .failed(step: "recovery", reason: "recovery did not end within \(limit) (sidecar.bootstrap.recovery_timeout)")
            }
            guard try await instance.isRunning() else {
                return .failed(step: "recovery", reason: "PostgreSQL stopped during recovery (recovery ended in shutdown); see its log")
            }
            switch try await instance.recoveryProgress() {
            case .finished:
                context.event(lease.jobID, "recovery ended; the instance is a primary")
                return nil
            case .paused(let lsn):
                context.event(lease.jobID, "recovery paused at its target (\(lsn)); resuming so that it ends (recovery_target_action: pause)")
                try await instance.resumeReplay()
            case .replaying(let lsn):
                if ContinuousClock.now - lastReport > .seconds(10) {
                    context.status.update { $0.currentJob?.attempt?.lastLine = "recovery replayed up to \(lsn)" }
                    lastReport = ContinuousClock.now
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    // MARK: - Failure

    /// SPEC §4 failure: stop (immediate), delete this node's `initialize`, move the data dir aside. Each step is
    /// recorded.
    private func cleanUp() async {
        await BootstrapCleanup(context: context, instance: instance).run(jobID: lease.jobID, systemIdentifier: completed?.systemIdentifier)
    }

    /// Publishes Patroni's `state` string for this step; a DCS error is logged (the cycle publishes again).
    private func setMemberState(_ state: String) async {
        context.status.update { $0.memberState = state }
        do {
            try await context.dcs.touchMember(MemberRecord.build(configuration, state: state, role: "uninitialized"))
        } catch {
            context.logger.debug("could not publish member state: \(error)")
        }
    }
}
