import Foundation

/// What `JobQueue.enqueue` is asked to create.
public struct JobRequest: Sendable, Equatable {
    public var kind: JobKind
    public var source: JobSource
    public var scope: String
    public var dataDirectory: String
    public var options: JobOptions
    /// Not claimed before this time; `nil` means at once.
    public var notBefore: Date?

    public init(
        kind: JobKind, source: JobSource, scope: String, dataDirectory: String, options: JobOptions = JobOptions(), notBefore: Date? = nil
    ) {
        self.kind = kind
        self.source = source
        self.scope = scope
        self.dataDirectory = dataDirectory
        self.options = options
        self.notBefore = notBefore
    }
}
