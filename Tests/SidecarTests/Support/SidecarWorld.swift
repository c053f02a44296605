import DCS
import Foundation
import JobStore
import TestSupport

/// One end-to-end test's world: a temp dir owned by `postgres` holding a copy of the `sidecar` binary, a hooks
/// dir (the repository's `hooks.d` plus the test's fixture hooks), a shared local DCS file, and the nodes' data
/// and state dirs. ``tearDown()`` stops every PostgreSQL instance it started (immediate) and removes the dir.
final class SidecarWorld: Sendable {
    let directory: ScratchDirectory
    let binary: String
    let hooksDirectory: String
    let dcsPath: String
    let scope: String

    /// The repository's root, from this file's path.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    init(scope: String = "e2e") throws {
        self.scope = scope
        directory = try ScratchDirectory("sidecar-e2e", owner: "postgres")
        chmod(directory.path, 0o755)
        let bin = try directory.makeDirectory("bin", owner: "postgres")
        binary = bin + "/sidecar"
        // Copied by a child process: a file this process held open for writing could leak into a child that a parallel
        // test forks at that moment, and exec of the copy would then fail with "Text file busy".
        let copy = try AsUser.run(["/bin/cp", try BuiltProducts.path("sidecar"), binary], user: nil)
        guard copy.succeeded else { throw TestSupportError("copying the sidecar binary failed: \(copy.stderr)") }
        chmod(binary, 0o755)
        hooksDirectory = directory.file("hooks.d")
        try FileManager.default.copyItem(atPath: Self.repository + "/hooks.d", toPath: hooksDirectory)
        chmod(hooksDirectory, 0o755)
        dcsPath = directory.file("dcs.sqlite")
        try Self.chownTree(directory.path)
    }

    /// Writes an executable `/bin/sh` hook (mode 755, owned by postgres) into the hooks dir.
    func hook(_ name: String, _ body: String) throws {
        let path = hooksDirectory + "/" + name
        // Through a close-on-exec descriptor: a process a parallel test spawns while the file is open for writing
        // must not keep it open, or exec of the hook fails with "Text file busy".
        let data = Array(("#!/bin/sh\n" + body + "\n").utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw TestSupportError("could not create \(path): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == data.count else { throw TestSupportError("could not write \(path)") }
        chmod(path, 0o755)
        try ScratchDirectory.chown(path, to: "postgres")
    }

    /// A node of this world with its own port, data dir and state dir.
    func node(_ name: String) throws -> SidecarNode {
        let port = try FreePort.next()
        return SidecarNode(world: self, name: name, port: port, httpPort: try FreePort.next())
    }

    /// A fresh read of the shared DCS, as an observer that is not a member.
    func dcsView(scope: String? = nil) async throws -> ClusterView {
        let dcs = try LocalDCS(LocalDCS.Configuration(path: dcsPath, scope: scope ?? self.scope, name: "observer"))
        return try await dcs.cluster()
    }

    /// Stops every PostgreSQL instance under the world (immediate), then removes the world.
    func tearDown() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for entry in entries {
            let data = directory.file(entry) + "/data"
            if FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
                _ = try? AsUser.run(["/usr/lib/postgresql/15/bin/pg_ctl", "stop", "-m", "immediate", "-D", data], timeout: .seconds(30))
            }
        }
        directory.remove()
    }

    static func chownTree(_ path: String) throws {
        let result = try AsUser.run(["/bin/chown", "-R", "postgres:postgres", path], user: nil)
        guard result.succeeded else { throw TestSupportError("chown -R failed: \(result.stderr)") }
    }
}
