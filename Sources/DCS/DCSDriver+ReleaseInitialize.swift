/// What `sidecar dcs release-initialize` found and did.
public enum InitializeRelease: Sendable, Equatable {
    /// `initialize` was `""` and has been deleted. `owner` names the node that still held its lease when `force`
    /// overrode the refusal (warn the operator), `nil` when the bootstrapping node was gone.
    case released(owner: String?)
    /// `initialize` is `""` and its owner still holds its lease: it may still be bootstrapping. Nothing was deleted.
    case refused(owner: String)
    /// `initialize` is absent or holds a system identifier: there is nothing to release. Nothing was deleted.
    case nothingToRelease(initialize: String?)
}

extension DCSDriver {
    /// Deletes an `initialize` left at `""` by a bootstrap that died (Patroni #527), refusing while the node that set
    /// it still holds its lease unless `force`. A refusal is a value; throws ``DCSError`` only when the DCS could not
    /// be read or written.
    ///
    /// Read and delete are two calls: harmless, because while `initialize` exists no node can race for it, and its
    /// owner key only ever disappears (its lease ends) until `initialize` is deleted.
    public func releaseInitialize(force: Bool = false) async throws(DCSError) -> InitializeRelease {
        let view = try await cluster()
        guard view.initialize == "" else { return .nothingToRelease(initialize: view.initialize) }
        if let owner = view.initializeOwner, !force { return .refused(owner: owner) }
        try await cancelInitialize()
        return .released(owner: view.initializeOwner)
    }
}
