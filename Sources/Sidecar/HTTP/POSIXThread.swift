import Foundation

/// Starts detached POSIX threads with a chosen stack size, reporting when the system refuses one (Foundation's
/// `Thread.start` ignores a `pthread_create` failure, such as a container's pids limit, and never runs its block).
enum POSIXThread {
    /// Runs `body` on a new detached thread named `name`; `false` when no thread could be
    /// created, in which case `body` never runs.
    static func start(name: String, stackBytes: Int, _ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return false }
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED)) == 0,
            pthread_attr_setstacksize(&attributes, stackBytes) == 0
        else { return false }
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
        guard created == 0 else {
            start.release()
            return false
        }
        return true
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
