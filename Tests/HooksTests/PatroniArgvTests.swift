import Testing

@testable import Hooks

@Suite struct PatroniArgvTests {
    static let tricky = "it's \"quoted\" $HOME; rm -rf / && echo\nline2 żółw"

    // MARK: custom bootstrap (SPEC §4.2)

    struct BootstrapCase: Sendable, CustomTestStringConvertible {
        var label: String
        var method: HookMethod
        var argv: [String]
        var testDescription: String { label }
    }

    static let bootstrapCases: [BootstrapCase] = [
        BootstrapCase(
            label: "scope and datadir first, then keys in YAML order",
            method: HookMethod(
                name: "pitr",
                command: "hooks.d/pitr --from 'a b'",
                parameters: [
                    HookParameter("target_time", .string("2026-01-01 10:00:00+00")),
                    HookParameter("delta", .bool(true, written: "yes")),
                    HookParameter("jobs", .number("4")),
                    HookParameter("recovery_conf", .map([HookParameter("recovery_target_action", .string("promote"))])),
                    HookParameter("keep_existing_recovery_conf", .bool(false, written: "false")),
                    HookParameter("nothing", .null(written: "")),
                ]
            ),
            argv: [
                "hooks.d/pitr", "--from", "a b", "--scope=batman", "--datadir=/var/lib/pg data",
                "--target_time=2026-01-01 10:00:00+00", "--delta=True", "--jobs=4", "--nothing=None",
            ]
        ),
        BootstrapCase(
            label: "user keys named scope and datadir are reserved",
            method: HookMethod(
                name: "b",
                command: "restore",
                parameters: [
                    HookParameter("scope", .string("other")), HookParameter("datadir", .string("/elsewhere")),
                    HookParameter("connstring", .string("host=x")), HookParameter("no_leader", .number("1")),
                ]
            ),
            argv: ["restore", "--scope=batman", "--datadir=/var/lib/pg data", "--connstring=host=x", "--no_leader=1"]
        ),
        BootstrapCase(
            label: "no_params drops scope and datadir and is itself not passed",
            method: HookMethod(
                name: "b",
                command: "restore",
                parameters: [HookParameter("no_params", .bool(true, written: "true")), HookParameter("stanza", .string("main"))]
            ),
            argv: ["restore", "--stanza=main"]
        ),
        BootstrapCase(
            label: "no_params false keeps the parameters",
            method: HookMethod(name: "b", command: "restore", parameters: [HookParameter("no_params", .bool(false, written: "no"))]),
            argv: ["restore", "--scope=batman", "--datadir=/var/lib/pg data"]
        ),
        BootstrapCase(
            label: "values with quotes, dollar, semicolon, newline and non-ASCII are one element each",
            method: HookMethod(
                name: "b",
                command: "restore",
                parameters: [
                    HookParameter("label", .string(tricky)),
                    HookParameter("list", .list([.string("a b"), .number("2")])),
                    HookParameter("map", .map([HookParameter("k", .string("v'"))])),
                ]
            ),
            argv: [
                "restore", "--scope=batman", "--datadir=/var/lib/pg data", "--label=\(tricky)", "--list=[\"a b\",2]",
                "--map={\"k\":\"v'\"}",
            ]
        ),
    ]

    @Test(arguments: bootstrapCases)
    func bootstrap(_ test: BootstrapCase) throws {
        let argv = try PatroniArgv.bootstrap(method: test.method, scope: "batman", dataDirectory: "/var/lib/pg data")
        #expect(argv == test.argv)
    }

    // MARK: custom replica method (SPEC §5.2)

    struct ReplicaCase: Sendable, CustomTestStringConvertible {
        var label: String
        var method: HookMethod
        var argv: [String]
        var testDescription: String { label }
    }

    static let conn = "dbname=postgres user=replicator host=10.0.0.1 port=5432"

    static let replicaCases: [ReplicaCase] = [
        ReplicaCase(
            label: "Patroni's WAL-E example: keys in order, flags passed, four parameters appended",
            method: HookMethod(
                name: "wal_e",
                command: "patroni_wale_restore",
                parameters: [
                    HookParameter("no_master", .number("1")), HookParameter("envdir", .string("/etc/wal-e.d/env")),
                    HookParameter("use_iam", .number("1")),
                ]
            ),
            argv: [
                "patroni_wale_restore", "--no_master=1", "--envdir=/etc/wal-e.d/env", "--use_iam=1", "--scope=batman",
                "--role=replica", "--datadir=/data/pg", "--connstring=\(conn)",
            ]
        ),
        ReplicaCase(
            label: "a user key named scope or connstring keeps its place and gets sidecar's value",
            method: HookMethod(
                name: "m",
                command: "restore",
                parameters: [
                    HookParameter("connstring", .string("host=evil")), HookParameter("threads", .number("4")),
                    HookParameter("scope", .string("mine")), HookParameter("role", .string("primary")),
                ]
            ),
            argv: ["restore", "--connstring=\(conn)", "--threads=4", "--scope=batman", "--role=replica", "--datadir=/data/pg"]
        ),
        ReplicaCase(
            label: "no command: the method name is the command",
            method: HookMethod(name: "my_clone", parameters: []),
            argv: ["my_clone", "--scope=batman", "--role=replica", "--datadir=/data/pg", "--connstring=\(conn)"]
        ),
        ReplicaCase(
            label: "no_params: no four parameters; no_params, no_leader, keep_data dropped",
            method: HookMethod(
                name: "m",
                command: "restore --fast",
                parameters: [
                    HookParameter("no_params", .bool(true, written: "True")), HookParameter("keep_data", .bool(true, written: "true")),
                    HookParameter("no_leader", .bool(true, written: "on")), HookParameter("stanza", .string("main")),
                    HookParameter("scope", .string("kept")),
                ]
            ),
            argv: ["restore", "--fast", "--stanza=main", "--scope=kept"]
        ),
        ReplicaCase(
            label: "no_params: no_master is still passed",
            method: HookMethod(
                name: "m",
                command: "restore",
                parameters: [HookParameter("no_master", .number("1")), HookParameter("no_params", .bool(true, written: "yes"))]
            ),
            argv: ["restore", "--no_master=1"]
        ),
        ReplicaCase(
            label: "without no_params the flags are passed like any key",
            method: HookMethod(
                name: "m",
                command: "restore",
                parameters: [
                    HookParameter("keep_data", .bool(true, written: "true")), HookParameter("no_leader", .bool(true, written: "true")),
                    HookParameter("no_params", .bool(false, written: "false")),
                ]
            ),
            argv: [
                "restore", "--keep_data=True", "--no_leader=True", "--no_params=False", "--scope=batman", "--role=replica",
                "--datadir=/data/pg", "--connstring=\(conn)",
            ]
        ),
        ReplicaCase(
            label: "tricky values stay single elements",
            method: HookMethod(
                name: "m",
                command: "'/opt/my hooks/restore' \"--label=a b\"",
                parameters: [HookParameter("note", .string(tricky)), HookParameter("none", .null(written: "~"))]
            ),
            argv: [
                "/opt/my hooks/restore", "--label=a b", "--note=\(tricky)", "--none=None", "--scope=batman", "--role=replica",
                "--datadir=/data/pg", "--connstring=\(conn)",
            ]
        ),
    ]

    @Test(arguments: replicaCases)
    func replica(_ test: ReplicaCase) throws {
        let argv = try PatroniArgv.replica(method: test.method, scope: "batman", dataDirectory: "/data/pg", connstring: Self.conn)
        #expect(argv == test.argv)
    }

    @Test func replicaWithoutSourceGetsAnEmptyConnstring() throws {
        let method = HookMethod(name: "m", command: "restore", parameters: [HookParameter("no_leader", .number("1"))])
        let argv = try PatroniArgv.replica(method: method, scope: "s", dataDirectory: "/d", connstring: "")
        #expect(argv == ["restore", "--no_leader=1", "--scope=s", "--role=replica", "--datadir=/d", "--connstring="])
    }

    // MARK: post_bootstrap (SPEC §4.5)

    @Test func postBootstrapGetsTheConnstringAsItsOneArgument() throws {
        let connstring = "dbname=postgres user=postgres host=/var/run/postgresql port=5432"
        #expect(
            try PatroniArgv.postBootstrap(command: "hooks.d/post_init --verbose", connstring: connstring) == [
                "hooks.d/post_init", "--verbose", connstring,
            ])
        #expect(try PatroniArgv.postBootstrap(command: "setup 'a b'", connstring: "") == ["setup", "a b", ""])
    }

    @Test func unbalancedCommandThrowsBadCommand() {
        let method = HookMethod(name: "m", command: "restore 'x", parameters: [])
        #expect(throws: HookError.self) { try PatroniArgv.replica(method: method, scope: "s", dataDirectory: "/d", connstring: "") }
        #expect(throws: HookError.self) { try PatroniArgv.bootstrap(method: method, scope: "s", dataDirectory: "/d") }
        #expect(throws: HookError.self) { try PatroniArgv.postBootstrap(command: "x \"", connstring: "") }
    }

    // MARK: flags

    @Test func noLeaderAndItsOldSpelling() {
        let old = HookMethod(name: "m", parameters: [HookParameter("no_master", .number("1"))])
        #expect(old.noLeader && old.leaderFlagSpelling == .noMaster)
        let new = HookMethod(name: "m", parameters: [HookParameter("no_leader", .bool(true, written: "true"))])
        #expect(new.noLeader && new.leaderFlagSpelling == .noLeader)
        let off = HookMethod(name: "m", parameters: [HookParameter("no_master", .number("0"))])
        #expect(!off.noLeader && off.leaderFlagSpelling == .noMaster)
        #expect(HookMethod(name: "m").leaderFlagSpelling == nil)
    }

    @Test func bootstrapFlagsAndRecoveryConf() {
        let conf = [HookParameter("recovery_target_action", .string("promote")), HookParameter("recovery_target_timeline", .string("latest"))]
        let method = HookMethod(
            name: "b",
            command: "x",
            parameters: [HookParameter("recovery_conf", .map(conf)), HookParameter("keep_existing_recovery_conf", .bool(true, written: "yes"))]
        )
        #expect(method.recoveryConf == conf)
        #expect(method.keepExistingRecoveryConf)
        #expect(HookMethod(name: "b").recoveryConf == nil)
    }
}
