/// The responses of the status server: JSON documents, Prometheus text, and JSON errors.
enum HTTPReply {
    /// A JSON document with `status`.
    static func json(_ document: JSONValue, status: HTTPStatus = .ok, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers["Content-Type"] = "application/json; charset=utf-8"
        headers["Cache-Control"] = "no-store"
        return HTTPResponse(status: status, headers: headers, body: Array((document.rendered() + "\n").utf8))
    }

    /// `{"error": message}` with a 4xx or 5xx status.
    static func error(_ status: HTTPStatus, _ message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        json(.object([("error", .string(message)), ("status", .number(Int64(status.code)))]), status: status, headers: headers)
    }

    /// Prometheus text exposition format 0.0.4.
    static func metrics(_ text: String) -> HTTPResponse {
        HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store"],
            body: Array(text.utf8))
    }
}

/// A request the router refuses, as a value the handler turns into a JSON error.
struct HTTPProblem: Error {
    var status: HTTPStatus
    var message: String
    var headers: HTTPHeaders = [:]

    init(_ status: HTTPStatus, _ message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    var response: HTTPResponse { HTTPReply.error(status, message, headers: headers) }
}
