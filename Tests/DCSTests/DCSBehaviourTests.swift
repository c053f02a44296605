import DCS
import Testing

/// SPEC §8 semantics every driver must share, run against each backend.
@Suite struct DCSBehaviourTests {
    @Test(arguments: Backend.allCases)
    func exactlyOneNodeWinsTheInitializeRace(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let nodes = try (0..<5).map { try fixture.node("n\($0)") }
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for node in nodes { group.addTask { try await node.raceInitialize() } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        let view = try await nodes[0].cluster()
        #expect(view.initialize == "")
        #expect(view.initializeOwner.map { name in nodes.indices.contains { "n\($0)" == name } } == true)
        #expect(try await nodes[1].raceInitialize() == false)
    }

    @Test(arguments: Backend.allCases)
    func setAndCancelInitialize(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        #expect(try await a.raceInitialize())
        try await a.cancelInitialize()
        var view = try await b.cluster()
        #expect(view.initialize == nil && view.initializeOwner == nil)

        #expect(try await b.raceInitialize())
        #expect(try await b.cluster().initializeOwner == "b")
        try await b.setInitialize("7312345678901234567")
        view = try await a.cluster()
        #expect(view.initialize == "7312345678901234567")
        #expect(view.initializeOwner == nil)
        #expect(try await a.raceInitialize() == false)
    }

    @Test(arguments: Backend.allCases)
    func initializeOutlivesItsOwnersLease(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a", ttl: fixture.shortTTL)
        let b = try fixture.node("b")
        #expect(try await a.raceInitialize())
        fixture.letTimePass(fixture.shortTTL + .seconds(1))
        // The owner key goes with a's lease; `initialize` itself has none and stays "" (release-initialize may now act).
        let view = try await fixture.eventually(b) { $0.initializeOwner == nil }
        #expect(view.initializeOwner == nil)
        #expect(view.initialize == "")
    }

    @Test(arguments: Backend.allCases)
    func releaseInitializeRefusesWhileTheOwnerLivesUnlessForced(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        // a's lease outlives the first half however slow the host (with etcd, a short TTL could expire before the forced
        // release and turn it into the orphan case); only c, later, has a short one.
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        let operator_ = try fixture.node("operator")
        #expect(try await operator_.releaseInitialize() == .nothingToRelease(initialize: nil))
        #expect(try await a.raceInitialize())
        #expect(try await operator_.releaseInitialize() == .refused(owner: "a"))
        #expect(try await b.cluster().initialize == "")
        #expect(try await operator_.releaseInitialize(force: true) == .released(owner: "a"))
        #expect(try await b.raceInitialize(), "released: another node may bootstrap")

        // b dies half-way through its bootstrap (no keepalive): once its lease is gone, release needs no force.
        let c = try fixture.node("c", ttl: fixture.shortTTL)
        try await b.cancelInitialize()
        #expect(try await c.raceInitialize())
        fixture.letTimePass(fixture.shortTTL + .seconds(1))
        _ = try await fixture.eventually(operator_) { $0.initializeIsOrphaned }
        #expect(try await operator_.releaseInitialize() == .released(owner: nil))
        #expect(try await operator_.cluster().initialize == nil)

        #expect(try await a.raceInitialize())
        try await a.setInitialize("7312345678901234567")
        #expect(try await operator_.releaseInitialize(force: true) == .nothingToRelease(initialize: "7312345678901234567"))
    }

    @Test(arguments: Backend.allCases)
    func leaderIsTakenOnlyIfAbsentAndReleasedOnlyByItsHolder(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        #expect(try await a.takeLeader())
        #expect(try await b.takeLeader() == false)
        #expect(try await a.takeLeader(), "taking it again is a renewal, not a loss")
        try await b.releaseLeader()
        #expect(try await b.cluster().leader == "a")
        try await a.releaseLeader()
        #expect(try await b.cluster().leader == nil)
        #expect(try await b.takeLeader())
        #expect(try await a.cluster().leader == "b")
    }

    @Test(arguments: Backend.allCases)
    func memberRoundTripsAndDeletes(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        try await a.touchMember(sampleMember("a", role: "primary"))
        try await b.touchMember(sampleMember("b", state: Member.State.creatingReplica))
        #expect(try await a.takeLeader())
        var view = try await b.cluster()
        #expect(view.members == [sampleMember("a", role: "primary"), sampleMember("b", state: Member.State.creatingReplica)])
        #expect(view.leaderMember?.isPrimary == true)
        try await b.deleteMember()
        view = try await a.cluster()
        #expect(view.members.map(\.name) == ["a"])
    }

    @Test(arguments: Backend.allCases)
    func keysOnTheLeaseVanishWithoutKeepAlive(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a", ttl: fixture.shortTTL)
        let b = try fixture.node("b")
        try await a.touchMember(sampleMember("a", role: "primary"))
        #expect(try await a.takeLeader())
        #expect(try await a.writeConfigIfAbsent(#"{"ttl":30}"#))
        fixture.letTimePass(fixture.shortTTL + .seconds(1))
        let view = try await fixture.eventually(b) { $0.members.isEmpty && $0.leader == nil }
        #expect(view.members.isEmpty)
        #expect(view.leader == nil)
        #expect(view.config == #"{"ttl":30}"#, "config has no lease")
        #expect(try await b.takeLeader())
    }

    @Test(arguments: Backend.allCases)
    func keepAliveKeepsKeys(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a", ttl: fixture.shortTTL)
        try await a.touchMember(sampleMember("a"))
        let until = ContinuousClock.now + (backend == .etcd ? fixture.shortTTL * 2 : .zero)
        // One renewal a second, until twice the TTL has passed (moved clock or real time).
        for _ in 0..<(backend == .etcd ? 7 : 4) {
            fixture.letTimePass(.seconds(1))
            try await a.keepAlive()
            if backend == .etcd { try await Task.sleep(for: .seconds(1)) }
        }
        #expect(ContinuousClock.now >= until)
        #expect(try await a.cluster().members.map(\.name) == ["a"])
    }

    @Test(arguments: Backend.allCases)
    func lostLeaseIsRegrantedAndKeysRepublished(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        try await a.touchMember(sampleMember("a", role: "primary"))
        #expect(try await a.takeLeader())
        try fixture.loseAllLeases()
        #expect(try await b.cluster().members.isEmpty)

        #expect(fixture.log.messages.isEmpty)
        try await a.keepAlive()
        let view = try await b.cluster()
        #expect(view.members.map(\.name) == ["a"])
        #expect(view.leader == "a")
        #expect(fixture.log.messages.map(\.level) == [.warning])
        #expect(fixture.log.messages.first?.message.contains("lease of this node was lost") == true)
        // The new lease is kept alive from now on.
        try await a.keepAlive()
        #expect(try await b.cluster().leader == "a")
    }

    @Test(arguments: Backend.allCases)
    func republishingDoesNotStealALeaderTakenMeanwhile(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        try await a.touchMember(sampleMember("a"))
        #expect(try await a.takeLeader())
        try fixture.loseAllLeases()
        #expect(try await b.takeLeader())
        try await a.keepAlive()
        let view = try await a.cluster()
        #expect(view.leader == "b")
        #expect(view.members.map(\.name) == ["a"])
        #expect(try await a.takeLeader() == false)
    }

    @Test(arguments: Backend.allCases)
    func writesOnALostLeaseRecoverWithoutKeepAlive(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        try await a.touchMember(sampleMember("a"))
        try fixture.loseAllLeases()
        try await a.touchMember(sampleMember("a", state: Member.State.stopped))
        #expect(try await a.cluster().members.map(\.state) == [Member.State.stopped])
    }

    @Test(arguments: Backend.allCases)
    func configIsWrittenOnlyIfAbsent(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        #expect(try await a.writeConfigIfAbsent(#"{"loop_wait":10}"#))
        #expect(try await b.writeConfigIfAbsent(#"{"loop_wait":99}"#) == false)
        #expect(try await b.cluster().config == #"{"loop_wait":10}"#)
    }

    @Test(arguments: Backend.allCases)
    func closeGivesUpTheLease(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b")
        try await a.touchMember(sampleMember("a"))
        #expect(try await a.takeLeader())
        await a.close()
        let view = try await b.cluster()
        #expect(view.members.isEmpty && view.leader == nil)
    }

    @Test(arguments: Backend.allCases)
    func scopesDoNotSeeEachOther(_ backend: Backend) async throws {
        let fixture = try await DCSBackendFixture.make(backend)
        defer { fixture.cleanup() }
        let a = try fixture.node("a")
        let b = try fixture.node("b", scope: fixture.scope + "-other")
        try await a.touchMember(sampleMember("a"))
        #expect(try await a.raceInitialize())
        #expect(try await a.takeLeader())
        #expect(try await b.cluster() == ClusterView())
        #expect(try await b.raceInitialize())
        #expect(try await b.takeLeader())
        #expect(try await a.cluster().leader == "a")
    }
}
