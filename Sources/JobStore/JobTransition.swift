import Foundation

/// How a worker ends a pass of its job: `JobQueue.finish`/`fail`/`acknowledgeCancel`/`requeue`, or the same step
/// folded into `AuditHistory.closeAttempt(_:_:_:then:now:)`.
public enum JobTransition: Sendable, Equatable {
    /// The job `succeeded`.
    case finish
    /// The job `failed` with this error (masked before storing).
    case fail(error: String)
    /// A requested cancel is done: the job is `cancelled`.
    case acknowledgeCancel
    /// Back to `queued` for another pass, not before `notBefore`; `error` (masked) becomes the last error.
    case requeue(notBefore: Date, error: String?)

    var name: String {
        switch self {
        case .finish: "finish"
        case .fail: "fail"
        case .acknowledgeCancel: "cancel"
        case .requeue: "requeue"
        }
    }
}
