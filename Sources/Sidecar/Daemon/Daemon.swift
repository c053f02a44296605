import DCS
import Dispatch
import Foundation
import Imaging
import JobStore
import Logging
import ServiceLifecycle

/// The running daemon: the cycle, the job worker and the HTTP status server in one `ServiceGroup`.
struct Daemon {
    let config: SidecarConfig
    let context: ImagingContext
    let cycle: Cycle
    let worker: JobWorker

    /// Opens the job store and the DCS and builds the parts. Throws ``CLIError``.
    init(config: SidecarConfig, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CLIError) {
        let postgres = try DaemonWiring.postgres(config, environment: environment)
        let imaging = DaemonWiring.imaging(config, postgres: postgres)
        let database: JobDatabase
        do {
            try FileManager.default.createDirectory(
                atPath: config.sidecar.stateDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            database = try JobDatabase(path: "\(config.sidecar.stateDir)/\(JobDatabase.fileName)")
        } catch {
            throw CLIError("could not open the job database in \(config.sidecar.stateDir): \(error)")
        }
        let dcs = try DaemonWiring.dcs(config)
        self.config = config
        context = ImagingContext(
            configuration: imaging, queue: JobQueue(database: database, leaseDuration: config.sidecar.jobLease),
            history: AuditHistory(database: database), dcs: dcs,
            logger: logger, environment: environment)
        cycle = Cycle(context: context)
        worker = JobWorker(executor: JobExecutor(context: context))
    }

    /// `sidecar run --once`: take back orphaned jobs, one cycle, every job that is due, one more cycle to publish.
    ///
    /// Neither mode gives up the node's lease on exit: PostgreSQL keeps running without sidecar, so its member and
    /// leader keys stay until the lease's TTL runs out (a restarted sidecar renews them).
    func runOnce() async {
        await cycle.reconcile()
        await cycle.run()
        await worker.drain()
        await cycle.run()
    }

    /// `sidecar run`: until SIGTERM or SIGINT. The first signal stops the running hook gracefully (TERM, grace,
    /// KILL) and re-queues its job; a second one kills the hook's group at once.
    func run(logger: Logger) async throws {
        let http = try statusServer(logger: logger)
        await cycle.reconcile()
        let worker = self.worker
        let secondSignal = SignalCounter(signals: [SIGTERM, SIGINT]) { count in
            if count >= 2 {
                logger.warning("second stop signal: killing the running hook at once")
                worker.killNow()
            }
        }
        defer { secondSignal.cancel() }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: CycleService(cycle: cycle, worker: worker)),
                    .init(service: worker),
                    .init(service: http),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

extension Daemon {
    /// The HTTP status server on `sidecar.listen`, with its own connection to the job database (a request never
    /// waits for the worker's transaction). Throws ``CLIError`` when the address cannot be bound.
    func statusServer(logger: Logger) throws(CLIError) -> StatusServer {
        let address = try ListenAddress(parsing: config.sidecar.listen)
        let database: JobDatabase
        do {
            database = try JobDatabase(path: "\(config.sidecar.stateDir)/\(JobDatabase.fileName)", create: false, busyTimeout: .seconds(5))
        } catch {
            throw CLIError("could not open the job database for HTTP: \(error)")
        }
        var router = StatusRouter(
            status: context.status, configuration: context.configuration, history: AuditHistory(database: database),
            queue: JobQueue(database: database), dcs: context.dcs, apiToken: config.sidecar.apiToken)
        // POST /reinit reads the DCS (up to retry_timeout) and writes the job database (up to its 5 s busy timeout).
        router.reinitTimeout = max(.seconds(30), config.retryTimeout + .seconds(15))
        return try StatusServer(address: address, router: router, logger: logger)
    }
}

/// Counts deliveries of stop signals beside ServiceLifecycle's own handling (both see every signal).
/// Unchecked: the sources are set once in `init` and only cancelled after.
final class SignalCounter: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], onSignal: @escaping @Sendable (Int) -> Void) {
        let counter = Counter()
        sources = signals.map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { onSignal(counter.increment()) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0

        func increment() -> Int {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            return count
        }
    }
}
