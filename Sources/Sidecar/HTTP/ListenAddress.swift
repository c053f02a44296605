import FlyingSocks
import Foundation

/// `sidecar.listen` as the HTTP server binds it: an IPv4 or IPv6 literal, `localhost`, or a host name resolved once at
/// start, and a port.
struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: UInt16

    /// Parses `host:port` (`[::1]:8009` for IPv6). Throws ``CLIError`` (64) naming `sidecar.listen`.
    init(parsing text: String) throws(CLIError) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0 else {
            throw CLIError("sidecar.listen '\(text)' is not host:port: write e.g. 127.0.0.1:8009", exitCode: CLIError.usage)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw CLIError("sidecar.listen '\(text)' has no host: write e.g. 127.0.0.1:8009", exitCode: CLIError.usage)
        }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether `host` is a loopback address written literally (`127.0.0.0/8`, `::1`, `localhost`). Anything else —
    /// a wildcard, an interface address, a host name — counts as reachable from other machines.
    static func isLoopback(host: String) -> Bool {
        var host = host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host == "::1" { return true }
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1 && UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    /// The socket address to bind. Throws ``CLIError`` (64) when the host does not resolve.
    func socketAddress() throws(CLIError) -> any SocketAddress {
        let literal = host == "localhost" ? "127.0.0.1" : host
        if let address = try? sockaddr_in.inet(ip4: literal, port: port) { return address }
        if let address = try? sockaddr_in6.inet6(ip6: literal, port: port) { return address }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else {
            throw CLIError("sidecar.listen: host '\(host)' does not resolve: write an IP address", exitCode: CLIError.usage)
        }
        defer { freeaddrinfo(result) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = first.pointee.ai_family
        if family == AF_INET {
            var ip4 = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            inet_ntop(AF_INET, &ip4, &text, socklen_t(text.count))
        } else {
            var ip6 = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            inet_ntop(AF_INET6, &ip6, &text, socklen_t(text.count))
        }
        let resolved = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if family == AF_INET, let address = try? sockaddr_in.inet(ip4: resolved, port: port) { return address }
        if let address = try? sockaddr_in6.inet6(ip6: resolved, port: port) { return address }
        throw CLIError("sidecar.listen: host '\(host)' resolved to '\(resolved)', which cannot be bound", exitCode: CLIError.usage)
    }

    /// Binds and releases the address once, so a port in use is a clear start error before any service runs.
    /// Throws ``CLIError`` (1).
    func checkBindable() throws(CLIError) {
        let address = try socketAddress()
        do {
            let socket = try Socket(domain: Int32(type(of: address).family))
            defer { try? socket.close() }
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: address)
            try socket.listen()
        } catch {
            throw CLIError(
                "sidecar.listen \(self): cannot listen (\(error.localizedDescription)); free the port or choose another address",
                exitCode: CLIError.failure)
        }
    }
}
