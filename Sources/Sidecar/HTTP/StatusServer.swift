import Logging
import ServiceLifecycle

/// The HTTP status server as a `Service` of the daemon's group: ``HTTPConnectionServer`` on `sidecar.listen`, each
/// connection on its own thread with a deadline for its request, its routes answered on that thread (only
/// `POST /reinit` runs as a task), so a slow or silent client or a burst of requests holds only connection threads,
/// never the cooperative pool where the cycle and the worker run.
struct StatusServer: Service {
    var address: ListenAddress
    var router: StatusRouter
    var logger: Logger
    /// The listening socket, bound at construction so a port in use is a clear start error before any service runs.
    private let listener: Int32

    /// Binds `address`. Throws ``CLIError`` (1 when it cannot be bound, 64 when the host does not resolve).
    init(address: ListenAddress, router: StatusRouter, logger: Logger) throws(CLIError) {
        listener = try address.listen()
        self.address = address
        self.router = router
        self.logger = logger
    }

    func run() async throws {
        let router = self.router
        let server = HTTPConnectionServer(listener: listener, logger: logger) { request in router.handle(request) }
        logger.info("HTTP status on http://\(address)")
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await server.run()
            } onGracefulShutdown: {
                server.stop()
            }
        } onCancel: {
            server.stop()
        }
    }
}
