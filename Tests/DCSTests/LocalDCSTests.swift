import DCS
import Dispatch
import Foundation
import SQLite
import TestSupport
import Testing

/// The embedded driver's own promises: one file shared by many connections (as by several processes on a host).
@Suite struct LocalDCSTests {
    @Test func manyConnectionsRacingInitializeHaveExactlyOneWinner() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/dcs.sqlite"
        for round in 0..<10 {
            // A separate driver (its own SQLite connection) per node, all started at once.
            let nodes = try (0..<8).map { try LocalDCS(.init(path: path, scope: "round-\(round)", name: "n\($0)")) }
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for node in nodes { group.addTask { try await node.raceInitialize() ? node.configuration.name : nil } }
                return try await group.compactMap { $0 }.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(winners.count == 1, "round \(round): \(winners)")
            #expect(try await nodes[0].cluster().initializeOwner == winners.first)
        }
    }

    @Test func theFileIsSharedAndKeepsKeysWithoutLeaseAcrossReopen() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = LocalDCS.Configuration.defaultPath(stateDirectory: directory)
        #expect(path == directory + "/dcs.sqlite")
        let a = try LocalDCS(.init(path: path, scope: "s", name: "a"))
        #expect(try await a.raceInitialize())
        try await a.setInitialize("7312345678901234567")
        try await a.touchMember(sampleMember("a"))
        await a.close()
        let reopened = try LocalDCS(.init(path: path, scope: "s", name: "b"))
        let view = try await reopened.cluster()
        #expect(view.initialize == "7312345678901234567")
        #expect(view.members.isEmpty, "close() revoked a's lease")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aLockHeldPastRetryTimeoutIsUnreachable() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/dcs.sqlite"
        let node = try LocalDCS(.init(path: path, scope: "s", name: "a", retryTimeout: .milliseconds(500)))
        // Another "process" (connection) holds the write lock until released.
        let other = try SQLiteConnection(path: path)
        let release = DispatchSemaphore(value: 0)
        // The holder thread takes the lock and signals; waiting for it happens off the cooperative pool.
        try await EtcdHarness.offPool {
            let locked = DispatchSemaphore(value: 0)
            Thread {
                _ = try? other.write { _ in
                    locked.signal()
                    release.wait()
                }
            }.start()
            locked.wait()
        }
        let started = ContinuousClock.now
        await #expect { _ = try await node.raceInitialize() } throws: { ($0 as? DCSError)?.code == .unreachable }
        // Bounded by retry_timeout (0.5 s), not by SQLite's default 30 s busy timeout; slack for a loaded CI host.
        #expect(ContinuousClock.now - started < .seconds(10))
        release.signal()
        #expect(try await node.raceInitialize())
    }

    @Test func anUnopenableFileIsAConfigurationError() {
        #expect { _ = try LocalDCS(.init(path: "/nonexistent-dir/dcs.sqlite", scope: "s", name: "a")) } throws: {
            ($0 as? DCSError)?.code == .configuration
        }
    }
}
