/// The async face of ``DCSSession``: each operation hops onto the session's queue.
extension DCSSession {
    func cluster() async throws(DCSError) -> ClusterView { try await run { session throws(DCSError) in try session.cluster() } }
    func raceInitialize() async throws(DCSError) -> Bool { try await run { session throws(DCSError) in try session.raceInitialize() } }
    func setInitialize(_ systemIdentifier: String) async throws(DCSError) {
        try await run { session throws(DCSError) in try session.setInitialize(systemIdentifier) }
    }
    func cancelInitialize() async throws(DCSError) { try await run { session throws(DCSError) in try session.cancelInitialize() } }
    func takeLeader() async throws(DCSError) -> Bool { try await run { session throws(DCSError) in try session.takeLeader() } }
    func releaseLeader() async throws(DCSError) { try await run { session throws(DCSError) in try session.releaseLeader() } }
    func touchMember(_ member: Member) async throws(DCSError) {
        try await run { session throws(DCSError) in try session.touchMember(member) }
    }
    func deleteMember() async throws(DCSError) { try await run { session throws(DCSError) in try session.deleteMember() } }
    func keepAlive() async throws(DCSError) { try await run { session throws(DCSError) in try session.keepAlive() } }
    func writeConfigIfAbsent(_ json: String) async throws(DCSError) -> Bool {
        try await run { session throws(DCSError) in try session.writeConfigIfAbsent(json) }
    }
    func close() async { _ = try? await run { session throws(DCSError) in session.close() } }
}
