/// Why a DCS call could not be done. A lost race is a result, never this error.
public struct DCSError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No host answered within the deadline: nothing may be decided from the DCS this cycle.
        case unreachable
        /// The store answered something sidecar cannot use (bad JSON, HTTP error, auth refused).
        case protocolError
        /// A local file or configuration problem.
        case configuration
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(message): \(cause)" }
        return message
    }
}
