import Foundation
import Testing

@testable import Hooks

/// The whole calling contract end to end: ``PatroniArgv`` + ``HookEnvironment`` + ``HookResolver`` + ``HookRunner``
/// running the real `hooks.d/log_args`, which records what it received.
@Suite struct HookContractTests {
    let fixture: FixtureTree
    let hooks: String

    init() throws {
        fixture = try FixtureTree()
        hooks = try fixture.directory("hooks.d")
        let script = try String(contentsOfFile: "\(ExampleHookTests.hooksDirectory)/log_args", encoding: .utf8)
        try fixture.script("hooks.d/wal_e_restore", body: script.replacingOccurrences(of: "#!/bin/sh\n", with: ""))
    }

    @Test func replicaMethodSeesPatronisArgvAndSidecarsEnvironment() async throws {
        let tricky = "it's \"quoted\" $HOME; echo\nnext żółw"
        let method = HookMethod(
            name: "wal_e",
            command: "wal_e_restore --fixed 'a b'",
            parameters: [
                HookParameter("no_master", .number("1")), HookParameter("note", .string(tricky)),
                HookParameter("connstring", .string("overridden")), HookParameter("output", .string("calls.log")),
            ]
        )
        let connstring = "dbname=postgres user=replicator host=10.0.0.1 port=5432"
        let argv = try PatroniArgv.replica(method: method, scope: "batman", dataDirectory: "/data/pg 15", connstring: connstring)
        let environment = HookEnvironment.build(
            base: ["PATH": "/usr/bin:/bin", "SIDECAR_CONFIG": "/etc/sidecar.yml", "LANG": "C.UTF-8"],
            pgpassFile: "/state/pgpass",
            jobID: "42",
            attempt: 3,
            method: "wal_e"
        )
        let resolver = HookResolver(hooksDirectory: hooks, path: "/usr/bin:/bin")
        guard case .run(let invocation) = resolver.launch(argv: argv, environment: environment, timeout: .seconds(30)) else {
            Issue.record("wal_e_restore did not resolve")
            return
        }
        let result = await HookRunner().run(invocation)
        #expect(result.outcome == .succeeded)

        // --output=calls.log is relative: it lands in the working directory, which must be hooks_dir.
        let text = try String(contentsOfFile: "\(hooks)/calls.log", encoding: .utf8)
        let call = try #require(ExampleHookTests.calls(in: text).first)
        #expect(call.argv.first == "\(hooks)/wal_e_restore")
        #expect(
            Array(call.argv.dropFirst()) == [
                "--fixed", "a b", "--no_master=1", "--note=\(tricky)", "--connstring=\(connstring)", "--output=calls.log",
                "--scope=batman", "--role=replica", "--datadir=/data/pg 15",
            ]
        )
        for name in ["PATH", "LANG", "PGPASSFILE", "SIDECAR_JOB_ID", "SIDECAR_ATTEMPT", "SIDECAR_METHOD"] {
            #expect(call.environmentNames.contains(name), "\(name) missing from \(call.environmentNames)")
        }
        #expect(!call.environmentNames.contains("SIDECAR_CONFIG"))
    }

    @Test func bootstrapAndPostBootstrapArgv() async throws {
        let output = fixture.path + "/calls.log"
        let environment = HookEnvironment.build(
            base: ["PATH": "/usr/bin:/bin", "LOG_ARGS_FILE": output],
            jobID: "7",
            attempt: 1,
            method: "pitr"
        )
        let resolver = HookResolver(hooksDirectory: hooks, path: nil)
        let method = HookMethod(
            name: "pitr",
            command: "./wal_e_restore",
            parameters: [HookParameter("recovery_conf", .map([])), HookParameter("target", .bool(true, written: "yes"))]
        )
        let bootstrap = try PatroniArgv.bootstrap(method: method, scope: "batman", dataDirectory: "/d")
        let post = try PatroniArgv.postBootstrap(command: "wal_e_restore", connstring: "dbname=postgres user=postgres port=5432")
        for argv in [bootstrap, post] {
            guard case .run(let invocation) = resolver.launch(argv: argv, environment: environment) else {
                Issue.record("\(argv[0]) did not resolve")
                return
            }
            #expect(await HookRunner().run(invocation).outcome == .succeeded)
        }
        let calls = ExampleHookTests.calls(in: try String(contentsOfFile: output, encoding: .utf8))
        #expect(
            calls.map { Array($0.argv.dropFirst()) } == [
                ["--scope=batman", "--datadir=/d", "--target=True"], ["dbname=postgres user=postgres port=5432"],
            ])
        #expect(calls.first?.argv.first == "\(hooks)/./wal_e_restore")
        #expect(calls.first?.environmentNames.contains("PGPASSFILE") == false)
    }
}
