import FlyingSocks
import Foundation

/// FlyingFox's socket pool with a limit on how long one connection waits for its client: a read or write that is not
/// ready within `idle` fails, and FlyingFox closes the connection. A silent or stalled client (or many) cannot hold
/// file descriptors forever, which would starve the daemon's hooks and databases. The listening socket waits
/// without limit.
struct IdleTimeoutPool: AsyncSocketPool {
    var base: any AsyncSocketPool
    var idle: Duration

    func prepare() async throws {
        try await base.prepare()
    }

    func run() async throws {
        try await base.run()
    }

    func suspendSocket(_ socket: Socket, untilReadyFor events: Socket.Events) async throws {
        if Self.isListening(socket) {
            return try await base.suspendSocket(socket, untilReadyFor: events)
        }
        let base = self.base
        let idle = self.idle
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await base.suspendSocket(socket, untilReadyFor: events)
                return true
            }
            group.addTask {
                try await Task.sleep(for: idle)
                return false
            }
            let ready = try await group.next() ?? false
            group.cancelAll()
            if !ready { throw SocketError.timeout(message: "the client sent or read nothing for \(idle)") }
        }
    }

    /// Whether `socket` is a listening socket (`SO_ACCEPTCONN`).
    static func isListening(_ socket: Socket) -> Bool {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(socket.file.rawValue, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) == 0 && value != 0
    }
}
