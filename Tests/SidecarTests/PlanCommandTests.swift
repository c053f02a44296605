import Foundation
import JobStore
import TestSupport
import Testing

/// `sidecar plan [--json]` (SPEC §9): what the next cycle would do, each method's argv (secrets masked) and
/// environment names, and every failed check; it still prints with the DCS down.
@Suite(.timeLimit(.minutes(5)))
struct PlanCommandTests {
    static func plan(_ node: SidecarNode) async throws -> (status: Int32, document: [String: Any], stderr: String) {
        let result = try await node.sidecar(["plan", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result.status, try requireValue(object, "a JSON plan in: \(result.stdout) \(result.stderr)"), result.stderr)
    }

    static func methods(_ document: [String: Any]) -> [[String: Any]] {
        document["methods"] as? [[String: Any]] ?? []
    }

    @Test func theArgvItPrintsIsWhatTheHookReceives() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await ImagingEndToEndTests.primary(world)
        let record = world.directory.file("recorder.out")
        try world.hook("recorder", "printf '%s\\n' \"$@\" > \(record); exit 1")
        let b = try world.node("b")
        try b.configure(
            postgresql: """
                  create_replica_methods: [recorder, basebackup]
                  recorder: {command: recorder --verbose, backup_token: t0ps3cret, keep_data: true}
                """)

        let (status, document, stderr) = try await Self.plan(b)
        #expect(status == 0, "\(stderr)")
        #expect((document["data_dir"] as? [String: Any])?["state"] as? String == "empty")
        #expect((document["dcs"] as? [String: Any])?["reachable"] as? Bool == true)
        #expect((document["dcs"] as? [String: Any])?["leader"] as? String == "a")
        let decision = try requireValue(document["decision"] as? [String: Any])
        #expect(decision["action"] as? String == "clone")
        #expect(decision["text"] as? String == "trying to bootstrap from leader 'a'")
        #expect((document["problems"] as? [Any])?.isEmpty == true)
        let methods = Self.methods(document)
        #expect(methods.map { $0["name"] as? String } == ["recorder", "basebackup"])
        #expect(methods.allSatisfy { $0["in_next_pass"] as? Bool == true })
        let planned = try requireValue(methods.first?["argv"] as? [String])
        #expect(planned.contains("--backup_token=******"))
        let environment = try requireValue(methods.first?["environment"] as? [String])
        #expect(environment.contains("PGPASSFILE") && environment.contains("SIDECAR_JOB_ID") && environment.contains("PATH"))
        #expect(!environment.contains("SIDECAR_CONFIG"))
        let basebackup = try requireValue(methods.last?["argv"] as? [String])
        #expect(basebackup.first == "/usr/lib/postgresql/15/bin/pg_basebackup")
        #expect(basebackup.contains("--dbname=dbname=postgres user=replicator host=127.0.0.1 port=\(a.port)"))
        let text = try await b.sidecar(["plan"])
        #expect(text.succeeded)
        #expect(text.stdout.contains("decision       clone: trying to bootstrap from leader 'a'"))
        let json = try await b.sidecar(["plan", "--json"]).stdout
        for secret in ["t0ps3cret", "rep'secret", "su secret"] {
            #expect(!text.stdout.contains(secret) && !json.contains(secret))
        }

        #expect(try await b.runOnce().succeeded)
        let received = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(planned == SecretMask.maskArgv([world.hooksDirectory + "/recorder"] + received.map(String.init)))
        #expect(received.contains("--backup_token=t0ps3cret"))
        let job = try #require(try b.jobs().first)
        #expect(try b.history().attempts(jobID: job.id).map(\.argv).first == planned)
        #expect(try b.history().attempts(jobID: job.id).last?.argv == basebackup)
    }

    @Test func aHookThatIsNotExecutableIsAFailedCheck() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        try world.hook("restore", "exit 0")
        chmod(world.hooksDirectory + "/restore", 0o644)
        let b = try world.node("b")
        try b.configure(
            postgresql: """
                  create_replica_methods: [restore, basebackup]
                  restore: {command: restore, no_leader: true}
                """)
        let (status, document, _) = try await Self.plan(b)
        #expect(status == 1)
        let decision = try requireValue(document["decision"] as? [String: Any])
        #expect(decision["action"] as? String == "clone_without_leader")
        let problems = try requireValue(document["problems"] as? [[String: Any]])
        #expect(problems.count == 1)
        #expect(problems.first?["subject"] as? String == "replica method 'restore'")
        #expect((problems.first?["message"] as? String)?.contains("is not executable: chmod 755") == true)
        let restore = try requireValue(Self.methods(document).first)
        #expect(restore["executable"] is NSNull)
        #expect((restore["argv"] as? [String])?.contains("--connstring=") == true)
        let text = try await b.sidecar(["plan"])
        #expect(text.status == 1)
        #expect(text.stdout.contains("failed checks"))
        #expect(text.stderr.contains("1 check failed"))
    }

    @Test func itStillPrintsWithTheDCSDown() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let b = try world.node("b")
        let closed = try FreePort.next()
        try b.configure(bootstrap: ImagingEndToEndTests.pgHBA, top: "retry_timeout: 2\netcd3: {host: 127.0.0.1:\(closed)}")
        let (status, document, _) = try await Self.plan(b)
        #expect(status == 1)
        let dcs = try requireValue(document["dcs"] as? [String: Any])
        #expect(dcs["reachable"] as? Bool == false)
        #expect(dcs["backend"] as? String == "etcd3")
        #expect((document["decision"] as? [String: Any])?["action"] as? String == "wait")
        #expect(Self.methods(document).map { $0["name"] as? String } == ["initdb", "basebackup"])
        #expect((document["problems"] as? [[String: Any]])?.contains { $0["subject"] as? String == "DCS" } == true)
        let text = try await b.sidecar(["plan"])
        #expect(text.stdout.contains("UNREACHABLE"))
        // A command that needs the DCS exits 69 instead.
        #expect(try await b.sidecar(["dcs", "show"]).status == 69)
    }
}
