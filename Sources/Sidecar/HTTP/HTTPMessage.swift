/// A status code and its reason phrase, as the status server sends them.
struct HTTPStatus: Sendable, Equatable {
    var code: Int
    var phrase: String

    static let ok = HTTPStatus(code: 200, phrase: "OK")
    static let accepted = HTTPStatus(code: 202, phrase: "Accepted")
    static let badRequest = HTTPStatus(code: 400, phrase: "Bad Request")
    static let unauthorized = HTTPStatus(code: 401, phrase: "Unauthorized")
    static let forbidden = HTTPStatus(code: 403, phrase: "Forbidden")
    static let notFound = HTTPStatus(code: 404, phrase: "Not Found")
    static let methodNotAllowed = HTTPStatus(code: 405, phrase: "Method Not Allowed")
    static let requestTimeout = HTTPStatus(code: 408, phrase: "Request Timeout")
    static let conflict = HTTPStatus(code: 409, phrase: "Conflict")
    static let lengthRequired = HTTPStatus(code: 411, phrase: "Length Required")
    static let payloadTooLarge = HTTPStatus(code: 413, phrase: "Content Too Large")
    static let headerFieldsTooLarge = HTTPStatus(code: 431, phrase: "Request Header Fields Too Large")
    static let internalServerError = HTTPStatus(code: 500, phrase: "Internal Server Error")
    static let notImplemented = HTTPStatus(code: 501, phrase: "Not Implemented")
    static let serviceUnavailable = HTTPStatus(code: 503, phrase: "Service Unavailable")
    static let versionNotSupported = HTTPStatus(code: 505, phrase: "HTTP Version Not Supported")
}

/// Header fields in the order they came or are sent; names compare case-insensitively.
struct HTTPHeaders: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private(set) var fields: [(name: String, value: String)] = []

    init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements { self[name] = value }
    }

    /// The first field named `name`; setting replaces every field of that name (`nil` removes them).
    subscript(name: String) -> String? {
        get { fields.first { $0.name.lowercased() == name.lowercased() }?.value }
        set {
            let index = fields.firstIndex { $0.name.lowercased() == name.lowercased() }
            fields.removeAll { $0.name.lowercased() == name.lowercased() }
            guard let newValue else { return }
            fields.insert((name, newValue), at: min(index ?? fields.count, fields.count))
        }
    }

    /// Every value of the fields named `name`.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// Adds a field without replacing others of the same name (a request's repeated fields).
    mutating func append(_ name: String, _ value: String) { fields.append((name, value)) }

    static func == (left: HTTPHeaders, right: HTTPHeaders) -> Bool {
        left.fields.map { "\($0.name.lowercased()):\($0.value)" } == right.fields.map { "\($0.name.lowercased()):\($0.value)" }
    }
}

/// A request as the router sees it: method, decoded path and query, headers and the whole body (at most
/// `HTTPRequestParser.Limits.maxBodyBytes`).
struct HTTPRequest: Sendable {
    struct QueryItem: Sendable, Equatable {
        var name: String
        var value: String
    }

    var method: String
    var path: String
    var query: [QueryItem]
    var version: String
    var headers: HTTPHeaders
    var body: [UInt8] = []

    /// Whether the connection stays open after the answer (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with
    /// `Connection: keep-alive`).
    var keepAlive: Bool {
        let tokens = headers.values("Connection").flatMap { $0.lowercased().split(separator: ",").map(\.trimmingOptionalWhitespace) }
        if tokens.contains("close") { return false }
        return version == "HTTP/1.1" || tokens.contains("keep-alive")
    }
}

/// An answer: status, headers, body. The server adds `Content-Length`, `Connection` and `Date`-free framing.
struct HTTPResponse: Sendable {
    var status: HTTPStatus
    var headers: HTTPHeaders = [:]
    var body: [UInt8] = []

    /// The bytes on the wire; for `HEAD` the head only (with the length the body would have).
    func serialized(keepAlive: Bool, includeBody: Bool = true) -> [UInt8] {
        var head = "HTTP/1.1 \(status.code) \(status.phrase)\r\n"
        for field in headers.fields where !["content-length", "connection"].contains(field.name.lowercased()) {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        return Array(head.utf8) + (includeBody ? body : [])
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingOptionalWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
