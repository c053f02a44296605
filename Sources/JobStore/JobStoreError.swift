/// Placeholder: the job store lands with the foundation issue.
public struct JobStoreError: Error, Sendable {
    public var message: String
}
