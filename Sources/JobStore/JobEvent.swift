import Foundation

/// One line of a job's story: a decision or a state change.
public struct JobEvent: Sendable, Equatable {
    public var id: Int64
    public var jobID: Int64
    public var at: Date
    public var message: String
}
