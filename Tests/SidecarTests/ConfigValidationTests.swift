import Foundation
import Testing

@testable import Sidecar

/// Every validation error of the configuration: one line each, naming the key path and the fix.
@Suite struct ConfigValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var yaml: String
        /// Each expected problem line must start with its key path and contain the fragment.
        var expected: [(keyPath: String, fragment: String)]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(
            label: "missing scope, name and data_dir",
            yaml: "postgresql:\n  listen: 0.0.0.0:5432\n",
            expected: [
                ("scope", "missing: set scope: <the cluster name>"), ("name", "missing: set name: <this node's name>"),
                ("postgresql.data_dir", "missing: set postgresql.data_dir"),
            ]
        ),
        Case(
            label: "bootstrap.method naming no section",
            yaml: ConfigFixture.minimal("bootstrap:\n  method: wal_g\n"),
            expected: [("bootstrap.method", "'wal_g' has no section bootstrap.wal_g with a command: add bootstrap.wal_g.command")]
        ),
        Case(
            label: "bootstrap.method section without command",
            yaml: ConfigFixture.minimal("bootstrap:\n  method: wal_g\n  wal_g:\n    recovery_conf:\n      restore_command: x\n"),
            expected: [("bootstrap.method", "has no section bootstrap.wal_g with a command")]
        ),
        Case(
            label: "bootstrap method section that is a list",
            yaml: ConfigFixture.minimal("bootstrap:\n  method: wal_g\n  wal_g:\n    - command: x\n"),
            expected: [("bootstrap.wal_g", "is a list, expected a map: a method section is a map")]
        ),
        Case(
            label: "chain entry with no section and no hook",
            yaml: ConfigFixture.minimal("  create_replica_methods: [wal_g, basebackup]\n"),
            expected: [("postgresql.create_replica_methods", "'wal_g' has no section postgresql.wal_g and no hook named wal_g")]
        ),
        Case(
            label: "replica method section that is a list",
            yaml: ConfigFixture.minimal("  create_replica_methods: [wal_e]\n  wal_e:\n    - command: x\n"),
            expected: [("postgresql.wal_e", "is a list, expected a map: a method section is a map")]
        ),
        Case(
            label: "unbalanced quotes in commands",
            yaml: ConfigFixture.minimal(
                """
                  create_replica_methods: [wal_e]
                  wal_e:
                    command: "restore 'oops"
                bootstrap:
                  method: b
                  b:
                    command: 'restore "oops'
                  post_bootstrap: 'setup \\'
                """
            ),
            expected: [
                ("postgresql.wal_e.command", "unbalanced single quote"), ("bootstrap.b.command", "unbalanced double quote"),
                ("bootstrap.post_bootstrap", "ends with a backslash"),
            ]
        ),
        Case(
            label: "basebackup options sidecar sets itself, list and map forms",
            yaml: ConfigFixture.minimal("  basebackup:\n    - pgdata: /x\n    - wal-method: fetch\n    - format\n    - checkpoint: fast\n"),
            expected: [
                ("postgresql.basebackup[0]", "'pgdata' is set by sidecar itself for pg_basebackup (it comes from postgresql.data_dir): remove it"),
                ("postgresql.basebackup[1]", "'wal-method' is set by sidecar"), ("postgresql.basebackup[2]", "'format' is set by sidecar"),
            ]
        ),
        Case(
            label: "basebackup map form clashes",
            yaml: ConfigFixture.minimal("  basebackup:\n    dbname: x\n    host: h\n    port: 1\n    username: u\n    password: p\n"),
            expected: [
                ("postgresql.basebackup.dbname", "set by sidecar"), ("postgresql.basebackup.host", "set by sidecar"),
                ("postgresql.basebackup.port", "set by sidecar"), ("postgresql.basebackup.username", "set by sidecar"),
                ("postgresql.basebackup.password", "set by sidecar"),
            ]
        ),
        Case(
            label: "durations and numbers that do not parse",
            yaml: ConfigFixture.minimal(
                "loop_wait: ten\nsidecar:\n  retention: 3 fortnights\n  keep_failed: many\n  output_tail: lots\n  basebackup:\n    retries: \"2.5\"\n"
            ),
            expected: [
                ("loop_wait", "'ten' is not a duration: write seconds (90) or 90s, 15m, 2h"),
                ("sidecar.retention", "'3 fortnights' is not a duration"), ("sidecar.keep_failed", "'many' is not a whole number"),
                ("sidecar.output_tail", "'lots' is not a size"), ("sidecar.basebackup.retries", "'2.5' is not a whole number"),
            ]
        ),
        Case(
            label: "timeouts below one second",
            yaml: ConfigFixture.minimal("sidecar:\n  hook_timeout: 500ms\n  methods:\n    basebackup:\n      timeout: 0\n"),
            expected: [
                ("sidecar.hook_timeout", "500ms is below 1s: use 1s or more"), ("sidecar.methods.basebackup.timeout", "0 is below 1s"),
            ]
        ),
        Case(
            label: "unknown keys under sidecar, with a suggestion",
            yaml: ConfigFixture.minimal("sidecar:\n  hook_timout: 10\n  colour: blue\n  replica:\n    max_cycle: 3\n"),
            expected: [
                ("sidecar.hook_timout", "unknown setting: did you mean sidecar.hook_timeout?"), ("sidecar.colour", "unknown setting: remove it"),
                ("sidecar.replica.max_cycle", "did you mean sidecar.replica.max_cycles?"),
            ]
        ),
        Case(
            label: "sidecar.methods naming no method",
            yaml: ConfigFixture.minimal("sidecar:\n  methods:\n    wal_x:\n      timeout: 10m\n"),
            expected: [("sidecar.methods.wal_x", "names no method sidecar runs")]
        ),
        Case(
            label: "bad choices, addresses and etcd settings",
            yaml: ConfigFixture.minimal(
                "sidecar:\n  after_imaging: paused\n  listen: localhost\netcd3:\n  protocol: grpc\n  key: k.pem\n  password: p\n"
            ),
            expected: [
                ("sidecar.after_imaging", "'paused' is not one of running, stopped"), ("sidecar.listen", "'localhost' is not host:port"),
                ("etcd3", "no etcd host"), ("etcd3.protocol", "'grpc' is not one of http, https"),
                ("etcd3.key", "set etcd3.cert too"), ("etcd3.password", "set etcd3.username too"),
            ]
        ),
        Case(
            label: "unsupported DCS",
            yaml: ConfigFixture.minimal("etcd:\n  host: 127.0.0.1:2379\nconsul:\n  host: x\n"),
            expected: [("etcd", "use an etcd3 section with the same hosts"), ("consul", "not supported")]
        ),
        Case(
            label: "a section that is the wrong shape",
            yaml: ConfigFixture.minimal("tags: [a]\nbootstrap:\n  pg_hba: host all all 0/0 md5\n  initdb: plain\nsidecar: []\n"),
            expected: [
                ("tags", "is a list, expected a map"), ("bootstrap.pg_hba", "is not a list"),
                ("bootstrap.initdb", "is a single value: write a list"), ("sidecar", "is a list, expected a map"),
            ]
        ),
        Case(
            label: "recovery_conf that is not a map",
            yaml: ConfigFixture.minimal("bootstrap:\n  method: b\n  b:\n    command: x\n    recovery_conf: [a]\n"),
            expected: [("bootstrap.b.recovery_conf", "is a list: write it as a map")]
        ),
        Case(
            label: "initdb options sidecar sets itself",
            yaml: ConfigFixture.minimal("bootstrap:\n  initdb:\n    - pwfile: /x\n    - pgdata: /y\n    - username: admin\n    - encoding: UTF8\n"),
            expected: [
                ("bootstrap.initdb[0]", "'pwfile' is set by sidecar itself for initdb"), ("bootstrap.initdb[1]", "'pgdata'"),
                ("bootstrap.initdb[2]", "'username' is set by sidecar itself for initdb (it comes from postgresql.authentication): remove it"),
            ]
        ),
        Case(
            label: "duplicate keys",
            yaml: ConfigFixture.minimal("  pgpass: /a\n  pgpass: /b\n"),
            expected: [("", "duplicated key(s): 'pgpass'")]
        ),
        Case(
            label: "not YAML",
            yaml: "scope: [unclosed\n",
            expected: [("", "is not valid YAML")]
        ),
    ]

    @Test(arguments: cases)
    func reportsEveryProblem(_ test: Case) throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let result = try fixture.load(test.yaml)
        #expect(result.config == nil)
        #expect(result.problems.count == test.expected.count, "\(result.problems)")
        for (keyPath, fragment) in test.expected {
            #expect(
                result.problems.contains { $0.keyPath == keyPath && $0.description.contains(fragment) },
                "no problem at '\(keyPath)' containing '\(fragment)' in \(result.problems.map(\.description))"
            )
        }
        for problem in result.problems {
            #expect(!problem.description.contains("\n"))
        }
    }

    @Test func loadResultThrowsExit64WithOneLinePerProblem() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let result = try fixture.load("name: n\n")
        #expect(throws: CLIError.self) { try result.get() }
        do {
            _ = try result.get()
        } catch {
            #expect(error.exitCode == 64)
            #expect(error.message.split(separator: "\n").count == 3)
        }
    }

    @Test func aChainEntryWithAHookOfItsNameNeedsNoSection() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        try fixture.hook("hooks.d/wal_g_restore")
        let result = try fixture.load(ConfigFixture.minimal("  create_replica_methods: [wal_g_restore, basebackup]\n"))
        #expect(result.problems == [])
        #expect(result.config?.postgresql.chain.first?.commandLine == "wal_g_restore")
        let onPath = try fixture.load(ConfigFixture.minimal("  create_replica_methods: [sh]\n"), environment: ["PATH": "/usr/bin:/bin"])
        #expect(onPath.problems == [])
    }

    @Test func missingFile() {
        let result = ConfigLoader(environment: [:]).load(file: "/nonexistent/sidecar.yml")
        #expect(
            result.problems.map(\.description) == [
                "cannot read configuration file /nonexistent/sidecar.yml: check the path given by --config or SIDECAR_CONFIG"
            ])
    }
}
