/// Why an imaging step could not be done (a failed method is an outcome, not this).
public struct ImagingError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var cause: (any Error)?

    public init(_ message: String, cause: (any Error)? = nil) {
        self.message = message
        self.cause = cause
    }

    public var description: String { message }
}
