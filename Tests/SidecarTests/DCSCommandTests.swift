import DCS
import Foundation
import TestSupport
import Testing

/// `sidecar dcs show` and `sidecar dcs release-initialize` on the local DCS, run as the built binary (SPEC §8, Patroni #527).
@Suite(.timeLimit(.minutes(2)))
struct DCSCommandTests {
    @Test func releaseInitializeRefusesWhileItsOwnerLivesAndForceOverrides() async throws {
        let world = try SidecarWorld(scope: "release")
        defer { world.tearDown() }
        let node = try world.node("n")
        try node.configure()
        // Another node won the race and is "bootstrapping": initialize = "" on its live lease.
        let other = try LocalDCS(LocalDCS.Configuration(path: world.dcsPath, scope: "release", name: "bootstrapper"))
        #expect(try await other.raceInitialize())
        try SidecarWorld.chownTree(world.directory.path)

        let show = try await node.sidecar(["dcs", "show"])
        #expect(show.succeeded, "\(show.stderr)")
        #expect(show.stdout.contains("/service/release/initialize") && show.stdout.contains("bootstrap in progress"))
        #expect(show.stdout.contains("bootstrapper"))

        let refused = try await node.sidecar(["dcs", "release-initialize"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("node 'bootstrapper' set initialize and still holds its lease"))
        #expect(try await world.dcsView().initialize == "")

        let forced = try await node.sidecar(["dcs", "release-initialize", "--force"])
        #expect(forced.succeeded, "\(forced.stderr)")
        #expect(forced.stderr.contains("warning: removed initialize while 'bootstrapper' still held its lease"))
        #expect(try await world.dcsView().initialize == nil)

        let nothing = try await node.sidecar(["dcs", "release-initialize"])
        #expect(nothing.succeeded && nothing.stdout.contains("nothing to release"))
    }
}
