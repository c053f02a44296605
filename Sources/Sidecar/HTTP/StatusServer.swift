import FlyingFox
import FlyingSocks
import Foundation
import Logging
import ServiceLifecycle

/// The HTTP status server as a `Service` of the daemon's group: FlyingFox on `sidecar.listen`, each connection in its
/// own task, so a slow or silent client holds only its own connection and never the cycle or the worker, and only
/// for ``idleTimeout`` (``IdleTimeoutPool``).
struct StatusServer: Service {
    var address: ListenAddress
    var router: StatusRouter
    var logger: Logger
    /// Seconds a handler may take before FlyingFox answers 500.
    var handlerTimeout: TimeInterval = 15
    /// How long a connection may wait for its client (to send a request, or to read the answer) before it is closed.
    static let idleTimeout: Duration = .seconds(10)

    /// Checks the address can be bound (a clear start error). Throws ``CLIError``.
    init(address: ListenAddress, router: StatusRouter, logger: Logger) throws(CLIError) {
        try address.checkBindable()
        self.address = address
        self.router = router
        self.logger = logger
    }

    func run() async throws {
        let socketAddress = try address.socketAddress()
        let server = HTTPServer(
            config: HTTPServer.Configuration(
                address: socketAddress, timeout: handlerTimeout, sharedRequestBufferSize: 4096,
                sharedRequestReplaySize: StatusRouter.maxBodyBytes,
                pool: IdleTimeoutPool(base: HTTPServer.defaultPool(), idle: Self.idleTimeout), logger: ServerLog(logger: logger)),
            handler: router)
        logger.info("HTTP status on http://\(address)")
        do {
            try await cancelWhenGracefulShutdown {
                try await server.run()
            }
        } catch {
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            throw CLIError("sidecar.listen \(address): the HTTP server stopped: \(error.localizedDescription)")
        }
    }
}

/// FlyingFox's log lines at debug level in sidecar's log (its per-connection lines would drown the cycle's).
private struct ServerLog: FlyingSocks.Logging {
    var logger: Logger

    func logDebug(_ debug: @autoclosure () -> String) { logger.trace("\(debug())") }
    func logInfo(_ info: @autoclosure () -> String) { logger.debug("\(info())") }
    func logWarning(_ warning: @autoclosure () -> String) { logger.warning("\(warning())") }
    func logError(_ error: @autoclosure () -> String) { logger.debug("http: \(error())") }
    /// FlyingFox reports its own stop (a cancellation at graceful shutdown) as critical: that one is debug.
    func logCritical(_ critical: @autoclosure () -> String) {
        let message = critical()
        if Task.isShuttingDownGracefully || Task.isCancelled || message.contains("CancellationError") {
            logger.debug("http: \(message)")
        } else {
            logger.error("http: \(message)")
        }
    }
}
