import DCS
import Foundation
import Hooks
import JobStore
import Postgres

/// One pass of the replica chain (SPEC §5): each method in order until one exits 0, then the standby
/// configuration, a start, and the check that the instance is up in recovery.
struct ReplicaChain: Sendable {
    /// How a pass ended. Values, not errors: the executor decides whether the job succeeds, retries or fails.
    enum PassResult: Sendable, Equatable {
        /// A method produced the data dir and the instance runs in recovery.
        case succeeded(method: String)
        /// The copy succeeded but the instance did not come up; the data is kept and the next pass only starts it.
        case startFailed(method: String, reason: String)
        /// Every method failed; the data dir was wiped. The summary lists each method's end.
        case allFailed(summary: String)
        /// The job was cancelled or the daemon is stopping; the data dir is left for the next pass to judge.
        case interrupted
    }

    var context: ImagingContext
    var lease: JobLease
    var control: HookControl
    var instance: LocalInstance

    private var configuration: ImagingConfiguration { context.configuration }
    private var dataDirectory: DataDirectory { DataDirectory(path: configuration.postgres.dataDirectory) }

    /// Runs one pass with `methods` (names from the chain) against `source` (`nil`: no leader, connstring `""`).
    /// Throws only when the job store or the data dir cannot be written (`JobStoreError`, `PostgresError`).
    ///
    /// A failed method's end is written together with the next method's open (one synced commit per method);
    /// before anything else (a wipe, a start, the end of the pass) it is written alone.
    func runPass(source: Member?, methods: [String]) async throws -> PassResult {
        let connection = try prepareConnection(source: source)
        let runner = AttemptRunner(context: context, lease: lease, control: control)
        let resolver = HookResolver(hooksDirectory: configuration.hooksDirectory, path: context.environment["PATH"])
        var pending: AttemptRunner.PendingClose?
        func flush() throws {
            if let end = pending {
                pending = nil
                try runner.close(end)
            }
        }
        var ends: [String] = []
        // Methods by name, built once per pass: a chain of hundreds would otherwise scan the configuration per method.
        let chain = Dictionary(configuration.chain.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (position, name) in methods.enumerated() {
            guard let method = chain[name] else { continue }
            if !method.keepData {
                try flush()
                try dataDirectory.wipe(stateDirectory: configuration.stateDirectory)
            }
            let outcome: HookOutcome
            if method.isBuiltinBasebackup {
                try flush()
                outcome = try await runBasebackup(position: position, connection: connection, source: source)
            } else {
                let ran = try await runHook(
                    method, position: position, connection: connection, source: source, resolver: resolver, runner: runner,
                    closing: pending)
                pending = ran.pending
                outcome = ran.result.outcome
            }
            if control.isInterrupted {
                try flush()
                return .interrupted
            }
            if outcome.isSuccess {
                try flush()
                return try await startReplica(method: name, connection: connection)
            }
            ends.append("\(name): \(AttemptRunner.describe(outcome))")
            if !method.keepData {
                try flush()
                try dataDirectory.wipe(stateDirectory: configuration.stateDirectory)
            }
        }
        try flush()
        try dataDirectory.wipe(stateDirectory: configuration.stateDirectory)
        return .allFailed(summary: ends.isEmpty ? "no method could run" : ends.joined(separator: "; "))
    }

    /// Starts a data dir whose copy succeeded in an earlier pass (SPEC §5.4: a start failure is retried as a start).
    func retryStart(source: Member?) async throws -> PassResult {
        let connection = try prepareConnection(source: source)
        return try await startReplica(method: "start", connection: connection)
    }

    // MARK: - Connection

    /// The connstring and pgpass of SPEC §5.1.
    struct Connection: Sendable {
        var connstring: Connstring
        /// The pgpass file to announce as `PGPASSFILE`, when there is a source.
        var pgpassFile: String?
    }

    private func prepareConnection(source: Member?) throws -> Connection {
        guard let source, let address = source.hostAndPort else { return Connection(connstring: .empty, pgpassFile: nil) }
        let role = configuration.postgres.replication
        let connstring = Connstring(source: HostPort(host: address.host, port: address.port), role: role)
        let path = configuration.postgres.pgpassPath
        var entries: [PgPass.Entry] = []
        if let password = role.password {
            entries.append(PgPass.Entry(host: address.host, port: address.port, user: role.username, password: password))
        }
        try PgPass(entries: entries).write(to: path)
        return Connection(connstring: connstring, pgpassFile: path)
    }

    // MARK: - Methods

    /// Runs a hook method as an attempt, writing `previous` with its open; leaves its own end to the caller.
    private func runHook(
        _ method: HookMethod, position: Int, connection: Connection, source: Member?, resolver: HookResolver,
        runner: AttemptRunner, closing previous: AttemptRunner.PendingClose?
    ) async throws -> AttemptRunner.Ran {
        var argv: [String]
        var notRun: String?
        do throws(HookError) {
            argv = try PatroniArgv.replica(
                method: method, scope: configuration.scope, dataDirectory: configuration.postgres.dataDirectory,
                connstring: connection.connstring.description)
        } catch {
            argv = [method.commandLine]
            notRun = error.message
        }
        if notRun == nil {
            let resolution = resolver.resolve(argv[0])
            if let path = resolution.path {
                argv[0] = path
            } else {
                notRun = resolution.notRunReason
            }
        }
        let plan = AttemptRunner.Plan(
            position: position, method: method.name, command: method.commandLine, argv: argv, cloneSource: source?.name,
            notRunReason: notRun, pgpassFile: connection.pgpassFile, timeout: configuration.timeout(for: method),
            workingDirectory: configuration.hooksDirectory)
        return try await runner.run(plan, closing: previous)
    }

    private func runBasebackup(position: Int, connection: Connection, source: Member?) async throws -> HookOutcome {
        let tries = max(configuration.basebackupRetries, 1)
        var last: HookOutcome = .notRun(reason: "no try ran")
        for attempt in 1...tries {
            if attempt > 1 {
                try dataDirectory.wipe(stateDirectory: configuration.stateDirectory)
                context.event(lease.jobID, "basebackup try \(attempt) of \(tries) in \(configuration.basebackupRetryWait)")
                guard await pause(configuration.basebackupRetryWait) else { return .interrupted }
            }
            let argv = instance.basebackupArgv(connstring: connection.connstring)
            let method = configuration.chain.first { $0.isBuiltinBasebackup }
            let plan = AttemptRunner.Plan(
                position: position, method: "basebackup", command: nil, argv: argv, cloneSource: source?.name,
                notRunReason: source == nil ? "basebackup needs a leader or replica to copy from" : nil,
                pgpassFile: connection.pgpassFile, timeout: method.flatMap(configuration.timeout(for:)) ?? configuration.hookTimeout,
                workingDirectory: configuration.stateDirectory)
            last = try await AttemptRunner(context: context, lease: lease, control: control).run(plan).outcome
            if case .notRun = last { return last }
            if last.isSuccess || control.isInterrupted || source == nil { return last }
        }
        return last
    }

    /// Waits `duration` unless the job is stopped first; returns whether the wait ran to its end.
    private func pause(_ duration: Duration) async -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if control.isInterrupted || Task.isCancelled { return false }
            try? await Task.sleep(for: min(.milliseconds(200), deadline - ContinuousClock.now))
        }
        return !control.isInterrupted
    }

    // MARK: - Start

    private func startReplica(method: String, connection: Connection) async throws -> PassResult {
        do {
            try instance.writeStandbyConfiguration(connection: connection.connstring, hasSource: connection.pgpassFile != nil)
            try await instance.start(jobID: lease.jobID, context: context)
            try await instance.waitUntilAcceptingConnections()
            guard try await instance.isInRecovery() else {
                return .startFailed(method: method, reason: "the instance started but is not in recovery")
            }
        } catch let error as PostgresError {
            context.event(lease.jobID, "the replica did not start: \(error.message)")
            return .startFailed(method: method, reason: error.message)
        }
        context.event(lease.jobID, "replica is running in recovery")
        return .succeeded(method: method)
    }
}

extension HookMethod {
    /// The built-in `basebackup` (Patroni's `postgresql.basebackup` section holds its options, never a command).
    var isBuiltinBasebackup: Bool { name == "basebackup" }
}

extension HookResolution {
    /// The reason a resolution failure gives, for a `not_run` attempt.
    var notRunReason: String {
        if case .notRun(let reason) = notRunOutcome { return reason }
        return "the hook could not be resolved"
    }
}
