import FlyingFox
import Foundation

/// The responses of the status server: JSON documents, Prometheus text, and JSON errors.
enum HTTPReply {
    /// A JSON document with `status`.
    static func json(_ document: JSONValue, status: HTTPStatusCode = .ok, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return HTTPResponse(statusCode: status, headers: headers, body: Data((document.rendered() + "\n").utf8))
    }

    /// `{"error": message}` with a 4xx or 5xx status.
    static func error(_ status: HTTPStatusCode, _ message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        json(.object([("error", .string(message)), ("status", .number(Int64(status.code)))]), status: status, headers: headers)
    }

    /// Prometheus text exposition format 0.0.4.
    static func metrics(_ text: String) -> HTTPResponse {
        HTTPResponse(
            statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
            body: Data(text.utf8))
    }
}

/// A request the router refuses, as a value the handler turns into a JSON error.
struct HTTPProblem: Error {
    var status: HTTPStatusCode
    var message: String
    var headers: HTTPHeaders = [:]

    init(_ status: HTTPStatusCode, _ message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    var response: HTTPResponse { HTTPReply.error(status, message, headers: headers) }
}
