import Foundation

/// Starts detached POSIX threads with a chosen stack size, reporting when the system refuses one (Foundation's
/// `Thread.start` ignores a `pthread_create` failure, such as a container's pids limit, and never runs its block).
enum POSIXThread {
    /// Runs `body` on a new detached thread named `name`. Returns 0 when it started, else the error number
    /// (`EAGAIN` at a thread or memory limit), in which case `body` never runs.
    static func start(name: String, stackBytes: Int, _ body: @escaping @Sendable () -> Void) -> Int32 {
        var attributes = pthread_attr_t()
        let initialized = pthread_attr_init(&attributes)
        guard initialized == 0 else { return initialized }
        defer { pthread_attr_destroy(&attributes) }
        let configured = pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        guard configured == 0 else { return configured }
        let sized = pthread_attr_setstacksize(&attributes, stackBytes)
        guard sized == 0 else { return sized }
        let start = Unmanaged.passRetained(Start(name: name, body: body))
        var thread = pthread_t()
        let created = pthread_create(
            &thread, &attributes,
            { context in
                guard let context else { return nil }
                let start = Unmanaged<Start>.fromOpaque(context).takeRetainedValue()
                Thread.current.name = start.name
                start.body()
                return nil
            }, start.toOpaque())
        if created != 0 { start.release() }
        return created
    }

    private final class Start: Sendable {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
