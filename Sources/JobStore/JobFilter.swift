import Foundation

/// Which jobs `AuditHistory.jobs` lists, newest first.
public struct JobFilter: Sendable, Equatable {
    public var state: JobState?
    public var kind: JobKind?
    /// Jobs created at or after this time.
    public var since: Date?
    public var dataDirectory: String?
    /// At most this many (default 50).
    public var limit: Int

    public init(state: JobState? = nil, kind: JobKind? = nil, since: Date? = nil, dataDirectory: String? = nil, limit: Int = 50) {
        self.state = state
        self.kind = kind
        self.since = since
        self.dataDirectory = dataDirectory
        self.limit = limit
    }
}
