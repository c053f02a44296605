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

    /// The numeric address to bind (`localhost` is 127.0.0.1; a host name is resolved once). Throws ``CLIError`` (64)
    /// when the host does not resolve.
    func resolvedHost() throws(CLIError) -> String {
        let literal = host == "localhost" ? "127.0.0.1" : host
        var probe = in6_addr()
        if inet_pton(AF_INET, literal, &probe) == 1 || inet_pton(AF_INET6, literal, &probe) == 1 { return literal }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else {
            throw CLIError("sidecar.listen: host '\(host)' does not resolve: write an IP address", exitCode: CLIError.usage)
        }
        defer { freeaddrinfo(result) }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if first.pointee.ai_family == AF_INET {
            var ip4 = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            inet_ntop(AF_INET, &ip4, &text, socklen_t(text.count))
        } else {
            var ip6 = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            inet_ntop(AF_INET6, &ip6, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A socket bound to the address and listening (close-on-exec, address reuse). Throws ``CLIError``: 64 for a
    /// host that does not resolve, 1 when the address cannot be bound (in use, not local).
    func listen(backlog: Int32 = 512) throws(CLIError) -> Int32 {
        let numeric = try resolvedHost()
        var ip4 = sockaddr_in()
        var ip6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, numeric, &ip4.sin_addr) == 1 {
            family = AF_INET
            ip4.sin_family = sa_family_t(AF_INET)
            ip4.sin_port = port.bigEndian
        } else if inet_pton(AF_INET6, numeric, &ip6.sin6_addr) == 1 {
            family = AF_INET6
            ip6.sin6_family = sa_family_t(AF_INET6)
            ip6.sin6_port = port.bigEndian
        } else {
            throw CLIError("sidecar.listen: host '\(host)' resolved to '\(numeric)', which cannot be bound", exitCode: CLIError.usage)
        }
        let socket = Glibc.socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw cannotListen(errno) }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound =
            family == AF_INET
            ? withUnsafePointer(to: &ip4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            : withUnsafePointer(to: &ip6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        guard bound == 0, Glibc.listen(socket, backlog) == 0 else {
            let error = errno
            close(socket)
            throw cannotListen(error)
        }
        return socket
    }

    private func cannotListen(_ error: Int32) -> CLIError {
        CLIError(
            "sidecar.listen \(self): cannot listen (\(String(cString: strerror(error)))); free the port or choose another address",
            exitCode: CLIError.failure)
    }
}
