import Foundation
import Synchronization

/// A loopback TCP port for a server a test starts: free a moment ago, below the kernel's ephemeral range, and not
/// handed out before in this process.
///
/// Below the ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`) because a port the kernel picks for `bind(0)`
/// comes from that range, where any outgoing connection (libcurl, psql, a replica's walreceiver) can take it as its
/// local port before the server binds it: PostgreSQL then fails with "Address already in use".
public enum FreePort {
    private static let handedOut = Mutex<Set<Int>>([])

    public static func next() throws -> Int {
        let ceiling = min(ephemeralLow(), 32768) - 1
        for _ in 0..<500 {
            let port = Int.random(in: 15000...ceiling)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if try canBind(port) { return port }
        }
        throw TestSupportError("no free loopback port between 15000 and \(ceiling)")
    }

    /// The first port of the ephemeral range (32768 when it cannot be read).
    private static func ephemeralLow() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap { Int($0) } ?? 32768
    }

    private static func canBind(_ port: Int) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        return bound == 0
    }
}
