/// Reads one HTTP/1.x request from the bytes a connection has received so far (RFC 9112), within fixed limits, so
/// memory per connection is bounded whatever a client sends. Pure; ``HTTPRequestReader`` applies it to a connection's
/// bytes as they arrive.
enum HTTPRequestParser {
    /// How much a request may hold.
    struct Limits: Sendable {
        /// The request line and header fields together, with their line ends and any empty lines before the request
        /// line: the limit counts from a request's first byte.
        var maxHeadBytes = 16 * 1024
        /// A body declared by `Content-Length` (the only body is `POST /reinit`'s small JSON).
        var maxBodyBytes = 64 * 1024
    }

    /// What the bytes so far amount to.
    enum Outcome: Sendable {
        /// More bytes are needed (nothing is wrong yet).
        case incomplete
        /// A whole request, which used the first `consumed` bytes.
        case request(HTTPRequest, consumed: Int)
        /// The request is refused with this status and reason; the connection is closed after the answer.
        case refused(HTTPStatus, String)
    }

    /// What `bytes` amount to, read from the start (``HTTPRequestReader`` reads a connection's bytes as they arrive).
    static func parse(_ bytes: [UInt8], limits: Limits = Limits()) -> Outcome {
        var reader = HTTPRequestReader(limits: limits)
        reader.append(bytes[...])
        return reader.next()
    }

    /// Why a request is refused.
    struct Refusal: Error {
        var status: HTTPStatus
        var reason: String

        init(_ status: HTTPStatus, _ reason: String) {
            self.status = status
            self.reason = reason
        }
    }

    /// The head (request line to the empty line that ends it, line ends CRLF or LF), checked; the body is not read yet.
    static func head(_ bytes: ArraySlice<UInt8>, limits: Limits) -> Result<HTTPRequest, Refusal> {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0a {
            var line = bytes[lineStart..<index]
            if line.last == 0x0d { line = line.dropLast() }
            if line.isEmpty { break }
            lines.append(line)
            lineStart = index + 1
        }
        return head(lines, limits: limits)
    }

    /// The request line and header fields, checked; the body is not read yet.
    static func head(_ lines: [ArraySlice<UInt8>], limits: Limits) -> Result<HTTPRequest, Refusal> {
        guard let requestLine = lines.first, let text = ascii(requestLine) else {
            return .failure(Refusal(.badRequest, "the request line is not ASCII text"))
        }
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].utf8.allSatisfy(isTokenByte), !parts[1].isEmpty else {
            return .failure(Refusal(.badRequest, "the request line must be 'METHOD /path HTTP/1.1'"))
        }
        let version = String(parts[2])
        guard version.hasPrefix("HTTP/"), version.count == 8 else {
            return .failure(Refusal(.badRequest, "'\(version.prefix(20))' is not an HTTP version"))
        }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .failure(Refusal(.versionNotSupported, "\(version) is not supported: use HTTP/1.1"))
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let first = line.first, first != 0x20, first != 0x09 else {
                return .failure(Refusal(.badRequest, "folded header lines are not accepted"))
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[line.startIndex..<colon].allSatisfy(isTokenByte)
            else {
                return .failure(Refusal(.badRequest, "a header line is not 'Name: value'"))
            }
            let value = line[(colon + 1)...]
            guard !value.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7f }) else {
                return .failure(Refusal(.badRequest, "a header value holds a control character"))
            }
            headers.append(
                String(decoding: line[line.startIndex..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingOptionalWhitespace)
        }
        if !headers.values("Transfer-Encoding").isEmpty {
            if !headers.values("Content-Length").isEmpty {
                return .failure(Refusal(.badRequest, "Content-Length and Transfer-Encoding together are not accepted"))
            }
            return .failure(Refusal(.lengthRequired, "chunked bodies are not accepted: send the body with Content-Length"))
        }
        let lengths = Set(headers.values("Content-Length").flatMap { $0.split(separator: ",").map(\.trimmingOptionalWhitespace) })
        if let declared = lengths.first {
            guard lengths.count == 1, !declared.isEmpty, declared.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return .failure(Refusal(.badRequest, "Content-Length must be one decimal number"))
            }
            guard declared.count <= 12, let length = Int(declared), length <= limits.maxBodyBytes else {
                return .failure(Refusal(.payloadTooLarge, "request body over \(limits.maxBodyBytes) bytes"))
            }
            headers["Content-Length"] = "\(length)"
        }
        guard let target = Target(String(parts[1])) else {
            return .failure(Refusal(.badRequest, "the request target must be a path such as /status, percent-encoded"))
        }
        return .success(HTTPRequest(method: String(parts[0]), path: target.path, query: target.query, version: version, headers: headers))
    }

    /// A request target (origin form `/path?query`, or absolute form `http://host/path?query`), decoded.
    struct Target {
        var path: String
        var query: [HTTPRequest.QueryItem]

        init?(_ text: String) {
            var text = Substring(text)
            for scheme in ["http://", "https://"] where text.lowercased().hasPrefix(scheme) {
                text = text.dropFirst(scheme.count)
                text = text.firstIndex(of: "/").map { text[$0...] } ?? "/"
            }
            guard text.hasPrefix("/") else { return nil }
            let pieces = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            guard let path = Self.decode(pieces[0], plusIsSpace: false) else { return nil }
            var query: [HTTPRequest.QueryItem] = []
            if pieces.count == 2 {
                for pair in pieces[1].split(separator: "&") {
                    let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let name = Self.decode(nameValue[0], plusIsSpace: true),
                        let value = Self.decode(nameValue.count == 2 ? nameValue[1] : "", plusIsSpace: true)
                    else { return nil }
                    query.append(HTTPRequest.QueryItem(name: name, value: value))
                }
            }
            self.path = path
            self.query = query
        }

        /// Percent-decoding (`+` as a space in the query); `nil` for a bad escape or bytes that are not UTF-8.
        static func decode(_ text: Substring, plusIsSpace: Bool) -> String? {
            var bytes: [UInt8] = []
            var iterator = text.utf8.makeIterator()
            while let byte = iterator.next() {
                switch byte {
                case UInt8(ascii: "%"):
                    guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                    bytes.append(high << 4 | low)
                case UInt8(ascii: "+") where plusIsSpace: bytes.append(0x20)
                default: bytes.append(byte)
                }
            }
            return String(validating: bytes, as: UTF8.self)
        }

        private static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
    }

    private static func ascii(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f } ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// RFC 9110 `tchar`: the bytes of a method or a field name.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5a, 0x61...0x7a: true
        default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
