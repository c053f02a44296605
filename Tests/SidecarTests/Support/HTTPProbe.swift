import Foundation
import TestSupport

/// A tiny blocking HTTP/1.1 client over a loopback socket, for probing the daemon's status server byte by byte
/// (silent clients, oversized bodies, many connections at once). Every read and write has a timeout, and the blocking
/// calls run off the cooperative pool (``onOwnThread(_:)``), so a waiting test never starves the others.
struct HTTPProbe {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String

        /// The body as a JSON object; throws when it is not one.
        func json() throws -> [String: Any] {
            guard let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
                throw TestSupportError("not a JSON object: \(body)")
            }
            return object
        }
    }

    /// One connected socket.
    final class Connection: @unchecked Sendable {
        let fd: Int32

        init(port: Int, timeout: Duration = .seconds(10)) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
            var time = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            // No close here on failure: a class whose initializer throws once its properties are set is deinitialized,
            // and `deinit` closes (a second close would close whatever descriptor took the number meanwhile).
            guard connected == 0 else { throw TestSupportError("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        }

        deinit { close(fd) }

        func send(_ text: String) throws {
            var bytes = Array(text.utf8)
            while !bytes.isEmpty {
                let sent = Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw TestSupportError("send: \(String(cString: strerror(errno)))") }
                bytes.removeFirst(sent)
            }
        }

        /// Sends all of `bytes`; throws when the connection refuses them (closed, reset, timed out).
        func send(bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { throw TestSupportError("send: \(String(cString: strerror(errno)))") }
                offset += sent
            }
        }

        /// What the next read finds once a response was read.
        enum Ending: Equatable {
            /// End of file: the server closed its side in order.
            case end
            /// The connection was reset: whatever the server sent may have been lost.
            case reset
            /// More bytes, or nothing before the socket's timeout.
            case open
        }

        /// Reads once and says whether the server closed the connection (in order or by a reset) or left it open.
        func ending() -> Ending {
            var byte: UInt8 = 0
            let count = recv(fd, &byte, 1, 0)
            if count == 0 { return .end }
            return count < 0 && errno == ECONNRESET ? .reset : .open
        }

        /// Whether the server closes the connection (end of file or reset) before the socket's timeout, without
        /// sending anything.
        func waitForClose() -> Bool {
            ending() != .open
        }

        /// Reads one response (headers, then `Content-Length` bytes of body, none when `head` says it answers a HEAD).
        /// Throws on timeout or a closed connection.
        func readResponse(head isHead: Bool = false) throws -> Response {
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            func fill() throws {
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { throw TestSupportError(count == 0 ? "connection closed" : "recv: \(String(cString: strerror(errno)))") }
                data.append(contentsOf: buffer[0..<count])
            }
            let separator: [UInt8] = Array("\r\n\r\n".utf8)
            var headerEnd: Int?
            while headerEnd == nil {
                try fill()
                headerEnd = data.indices.dropLast(3).first { Array(data[$0..<$0 + 4]) == separator }
            }
            let head = String(decoding: data[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
            let statusParts = head[0].split(separator: " ")
            guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestSupportError("bad status line: \(head[0])") }
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = isHead ? 0 : Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = headerEnd! + 4
            while data.count - bodyStart < length { try fill() }
            return Response(status: status, headers: headers, body: String(decoding: data[bodyStart..<bodyStart + length], as: UTF8.self))
        }
    }

    /// Sends one request on a fresh connection (`Connection: close`) and reads the response.
    static func request(
        port: Int, _ path: String, method: String = "GET", headers: [String: String] = [:], body: String? = nil
    ) async throws -> Response {
        let text = requestText(method, path, headers: headers, body: body)
        return try await onOwnThread {
            let connection = try Connection(port: port)
            try connection.send(text)
            return try connection.readResponse()
        }
    }

    /// Runs a blocking call on a thread of its own (not a dispatch queue, whose few threads are replaced only about
    /// once a second on Linux when they block: many blocked calls there would delay every other test's).
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    static func requestText(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + (body ?? "")
    }

    /// Polls `GET path` until `condition` holds on a response, at most `timeout`; returns that response.
    @discardableResult
    static func waitFor(
        port: Int, _ path: String, _ timeout: Duration = .seconds(60), _ what: String, _ condition: (Response) throws -> Bool
    ) async throws -> Response {
        let deadline = ContinuousClock.now + timeout
        var last: String = "no answer"
        while ContinuousClock.now < deadline {
            do {
                let response = try await request(port: port, path)
                if try condition(response) { return response }
                last = "\(response.status) \(response.body)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSupportError("timed out after \(timeout) waiting for \(what); last: \(last)")
    }
}
