/// Where a job is: `queued` → `running` → `succeeded` | `failed` | `cancelled` (a running job may go back to
/// `queued` for another pass; `retry` takes a failed or cancelled one back to `queued`).
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued
    case running
    case succeeded
    case failed
    case cancelled

    /// `succeeded`, `failed` or `cancelled`: the job has a `finishedAt` and nobody works on it.
    public var isFinal: Bool {
        switch self {
        case .queued, .running: false
        case .succeeded, .failed, .cancelled: true
        }
    }
}
