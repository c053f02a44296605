import DCS
import Foundation
import Testing

/// The in-memory twin's own controls: an injected clock and a switch that makes the store unreachable.
@Suite struct MemoryDCSTests {
    @Test func anOutageIsUnreachableAndRecovers() async throws {
        let store = MemoryDCS.Store()
        let log = CapturedLog()
        let a: MemoryDCS = .memory(store, scope: "s", name: "a", ttl: .seconds(10), logger: log.logger)
        try await a.touchMember(sampleMember("a"))
        store.setUnreachable(true)
        await #expect { try await a.keepAlive() } throws: { ($0 as? DCSError)?.code == .unreachable }
        await #expect { _ = try await a.raceInitialize() } throws: { ($0 as? DCSError)?.code == .unreachable }
        // The outage outlasts the TTL: the member expires, and comes back with the first keepalive after it.
        store.advance(by: .seconds(11))
        store.setUnreachable(false)
        #expect(try await a.cluster().members.isEmpty)
        try await a.keepAlive()
        #expect(store.snapshot().map(\.key) == ["/service/s/members/a"])
        #expect(log.messages.map(\.level) == [.warning])
    }

    @Test func expiryFollowsTheInjectedClockToTheSecond() async throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let store = MemoryDCS.Store(now: { start })
        let a: MemoryDCS = .memory(store, namespace: "/ns", scope: "s", name: "a", ttl: .seconds(10))
        #expect(try await a.raceInitialize())
        store.advance(by: .seconds(9))
        #expect(try await a.cluster().initializeOwner == "a")
        #expect(try await a.cluster().initializeIsOrphaned == false)
        store.advance(by: .seconds(1))
        let view = try await a.cluster()
        #expect(view.initializeOwner == nil && view.initialize == "")
        #expect(view.initializeIsOrphaned)
        #expect(store.snapshot().map(\.key) == ["/ns/s/initialize"])
    }
}
