import Foundation
import TestSupport

/// Helpers around a daemon started with ``SidecarNode/startDaemon()`` for the HTTP tests.
enum HTTPDaemon {
    /// Runs `body` with the node's daemon (`config`: another config file than the node's), then stops it (SIGTERM to
    /// `runuser`, which passes it on) and waits for it.
    static func with<T>(_ node: SidecarNode, config: String? = nil, _ body: (ChildProcess) async throws -> T) async throws -> T {
        let daemon =
            try config.map {
                try ChildProcess(
                    "/usr/sbin/runuser", ["-u", "postgres", "--", node.world.binary, "run", "--config", $0], environment: SidecarNode.environment)
            } ?? node.startDaemon()
        do {
            let result = try await body(daemon)
            await stop(daemon)
            return result
        } catch {
            await stop(daemon)
            throw TestSupportError("\(error)\n--- daemon log:\n\(daemon.stderr.split(separator: "\n").suffix(40).joined(separator: "\n"))")
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited within 20 s.
    static func stop(_ daemon: ChildProcess) async {
        daemon.kill(SIGTERM)
        if await daemon.wait(timeout: .seconds(20)) == nil {
            daemon.kill(SIGKILL)
            _ = await daemon.wait(timeout: .seconds(5))
        }
    }

    /// A socket listening on 127.0.0.1:`port` (the caller closes it), to make the port busy.
    static func listen(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else {
            close(fd)
            throw TestSupportError("could not listen on \(port): \(String(cString: strerror(errno)))")
        }
        return fd
    }
}
