import Foundation
import Hooks
import Testing

@testable import Sidecar

/// Defaults, quoted numbers, durations and the precedence flags > environment > file > defaults.
@Suite struct ConfigDefaultsTests {
    @Test func defaultsOfTheSpecTable() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let config = try #require(try fixture.load(ConfigFixture.minimal()).config)
        let directory = fixture.scratch.path
        #expect(config.namespace == "/service/")
        #expect(config.loopWait == .seconds(10) && config.ttl == .seconds(30) && config.retryTimeout == .seconds(10))
        #expect(config.etcd == nil)
        #expect(config.bootstrap == nil)
        #expect(config.tags == NodeTags())
        #expect(config.postgresql.createReplicaMethods == ["basebackup"])
        #expect(config.postgresql.basebackupOptions == [])
        #expect(config.postgresql.pgpass == "\(directory)/.sidecar/pgpass")
        #expect(config.postgresql.pgCtlTimeout == .seconds(60))
        #expect(config.postgresql.superuser.username == "postgres" && config.postgresql.replication.username == "replicator")
        let sidecar = config.sidecar
        #expect(sidecar.stateDir == "\(directory)/.sidecar")
        #expect(sidecar.hooksDir == "\(directory)/hooks.d")
        #expect(sidecar.localDCSPath == "\(directory)/.sidecar/dcs.sqlite")
        #expect(sidecar.listen == "127.0.0.1:8009")
        #expect(sidecar.apiToken == nil)
        #expect(sidecar.hookTimeout == nil && sidecar.methodTimeouts.isEmpty)
        #expect(sidecar.basebackupRetries == 2 && sidecar.basebackupRetryWait == .seconds(5))
        #expect(sidecar.replicaMaxCycles == nil && sidecar.replicaBackoffMax == nil)
        #expect(sidecar.bootstrapRecoveryTimeout == nil && sidecar.bootstrapMaxAttempts == nil)
        #expect(sidecar.outputTail == 65_536)
        #expect(sidecar.keepFailed == 1)
        #expect(sidecar.afterImaging == .running)
        #expect(sidecar.retention == .seconds(90 * 86_400))
        #expect(config.timeout(ofMethod: "basebackup") == nil)
    }

    @Test func anEmptyBootstrapSectionMeansInitdb() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let config = try #require(try fixture.load(ConfigFixture.minimal("bootstrap:\n")).config)
        #expect(config.bootstrap?.method == "initdb")
    }

    @Test func binDirDefaultsToTheNewestInstalledPostgreSQL() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let root = fixture.scratch.file("lib")
        for version in ["9.6", "15", "12"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(version)/bin", withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: "\(root)/\(version)/bin/pg_ctl", contents: Data(), attributes: [.posixPermissions: 0o755]))
        }
        var loader = ConfigLoader(environment: ["PATH": "/nonexistent"])
        loader.postgresqlRoot = root
        let result = loader.load(yaml: ConfigFixture.minimal(), file: fixture.file)
        #expect(result.config?.postgresql.binDir == "\(root)/15/bin")
        try FileManager.default.createDirectory(atPath: fixture.scratch.file("pathbin"), withIntermediateDirectories: true)
        #expect(
            FileManager.default.createFile(atPath: fixture.scratch.file("pathbin/pg_ctl"), contents: Data(), attributes: [.posixPermissions: 0o755]))
        loader.environment["PATH"] = "/nonexistent:\(fixture.scratch.file("pathbin"))"
        #expect(loader.load(yaml: ConfigFixture.minimal(), file: fixture.file).config?.postgresql.binDir == fixture.scratch.file("pathbin"))
        try FileManager.default.createDirectory(atPath: fixture.scratch.file("linkbin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.scratch.file("linkbin/pg_ctl"), withDestinationPath: "\(root)/12/bin/pg_ctl")
        loader.environment["PATH"] = fixture.scratch.file("linkbin")
        #expect(loader.load(yaml: ConfigFixture.minimal(), file: fixture.file).config?.postgresql.binDir == "\(root)/12/bin")
    }

    @Test func quotedNumbersDurationsAndSizes() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let yaml = ConfigFixture.minimal(
            """
            loop_wait: "5"
            ttl: '45'
            retry_timeout: 2.5
            sidecar:
              hook_timeout: 15m
              methods:
                basebackup:
                  timeout: "2h"
              basebackup:
                retries: "3"
                retry_wait: 90s
              replica:
                max_cycles: '10'
                backoff_max: 5m
              bootstrap:
                recovery_timeout: 1d
                max_attempts: 2
              output_tail: 1M
              keep_failed: "0"
              after_imaging: stopped
              retention: 30d
              api_token: abc
              listen: 0.0.0.0:9009
              dcs:
                local:
                  path: /shared/dcs.sqlite
            """
        )
        let result = try fixture.load(yaml)
        #expect(result.problems == [])
        let config = try #require(result.config)
        #expect(config.loopWait == .seconds(5) && config.ttl == .seconds(45) && config.retryTimeout == .milliseconds(2500))
        let sidecar = config.sidecar
        #expect(sidecar.hookTimeout == .seconds(900))
        #expect(config.timeout(ofMethod: "basebackup") == .seconds(7200))
        #expect(config.timeout(ofMethod: "wal_e") == .seconds(900))
        #expect(config.chain.map(\.timeout) == [.seconds(7200)])
        #expect(sidecar.basebackupRetries == 3 && sidecar.basebackupRetryWait == .seconds(90))
        #expect(sidecar.replicaMaxCycles == 10 && sidecar.replicaBackoffMax == .seconds(300))
        #expect(sidecar.bootstrapRecoveryTimeout == .seconds(86_400) && sidecar.bootstrapMaxAttempts == 2)
        #expect(sidecar.outputTail == 1_048_576)
        #expect(sidecar.keepFailed == 0)
        #expect(sidecar.afterImaging == .stopped)
        #expect(sidecar.retention == .seconds(30 * 86_400))
        #expect(sidecar.apiToken == "abc" && sidecar.listen == "0.0.0.0:9009")
        #expect(sidecar.localDCSPath == "/shared/dcs.sqlite")
    }

    @Test func durationParser() {
        #expect(DurationParser.duration("90") == .seconds(90))
        #expect(DurationParser.duration(" 90s ") == .seconds(90))
        #expect(DurationParser.duration("1.5") == .milliseconds(1500))
        #expect(DurationParser.duration("15m") == .seconds(900))
        #expect(DurationParser.duration("2h") == .seconds(7200))
        #expect(DurationParser.duration("250ms") == .milliseconds(250))
        for bad in ["", "s", "-1", "+1", "1x", "nan", "1 fortnight", "1h30m"] {
            #expect(DurationParser.duration(bad) == nil, "\(bad)")
        }
        #expect(DurationParser.bytes("64KiB") == 65_536)
        #expect(DurationParser.bytes("64k") == 65_536)
        #expect(DurationParser.bytes("100") == 100)
        #expect(DurationParser.bytes("1.5M") == nil)
        #expect(DurationParser.format(.seconds(900)) == "15m")
        #expect(DurationParser.format(.milliseconds(1500)) == "1.5s")
    }

    @Test func relativePathsAreRelativeToTheConfigFile() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let yaml = """
            scope: s
            name: n
            postgresql:
              data_dir: ./pg/../data
              pgpass: secrets/pgpass
            sidecar:
              state_dir: state
              hooks_dir: ../hooks
            """
        let config = try #require(try fixture.load(yaml).config)
        let directory = fixture.scratch.path
        let parent = (directory as NSString).deletingLastPathComponent
        #expect(config.postgresql.dataDir == "\(directory)/data")
        #expect(config.postgresql.pgpass == "\(directory)/secrets/pgpass")
        #expect(config.sidecar.stateDir == "\(directory)/state")
        #expect(config.sidecar.localDCSPath == "\(directory)/state/dcs.sqlite")
        #expect(config.sidecar.hooksDir == "\(parent)/hooks")
    }

    @Test func anHTTPSHostURLMeansTLSUnlessTheProtocolSaysOtherwise() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let list = try #require(try fixture.load(ConfigFixture.minimal("etcd3:\n  hosts: [https://127.0.0.1:2379, 127.0.0.2:2379]\n")).config)
        #expect(list.etcd?.hosts == ["127.0.0.1:2379", "127.0.0.2:2379"])
        #expect(list.etcd?.protocolName == "https")
        let plain = try #require(try fixture.load(ConfigFixture.minimal("etcd3:\n  host: http://127.0.0.1:2379\n")).config)
        #expect(plain.etcd?.protocolName == "http")
        let clash = try fixture.load(ConfigFixture.minimal("etcd3:\n  hosts: https://127.0.0.1:2379\n  protocol: http\n"))
        #expect(clash.config == nil)
        #expect(clash.problems.map(\.description).contains { $0.contains("etcd3.protocol") && $0.contains("https://127.0.0.1:2379") })
    }

    @Test func environmentWinsOverTheFileAndFlagsWinOverBoth() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let yaml = ConfigFixture.minimal("etcd3:\n  host: 10.0.0.1:2379\n  protocol: https\n")
        let environment = [
            "SIDECAR_SCOPE": "env-scope", "SIDECAR_NAME": "env-name", "SIDECAR_DATA_DIR": "/env/data",
            "SIDECAR_ETCD_HOSTS": "http://10.1.0.1:2379, 10.1.0.2:2379",
        ]
        let fromEnvironment = try #require(try fixture.load(yaml, environment: environment).config)
        #expect(fromEnvironment.scope == "env-scope" && fromEnvironment.name == "env-name")
        #expect(fromEnvironment.postgresql.dataDir == "/env/data")
        #expect(fromEnvironment.etcd?.hosts == ["10.1.0.1:2379", "10.1.0.2:2379"])
        #expect(fromEnvironment.etcd?.protocolName == "https")

        let flags = ConfigOverrides(
            scope: "flag-scope", name: "flag-name", dataDir: "/flag/data", etcdHosts: ["10.2.0.1:2379"], stateDir: "/flag/state")
        let fromFlags = try #require(try fixture.load(yaml, environment: environment, overrides: flags).config)
        #expect(fromFlags.scope == "flag-scope" && fromFlags.name == "flag-name")
        #expect(fromFlags.postgresql.dataDir == "/flag/data")
        #expect(fromFlags.etcd?.hosts == ["10.2.0.1:2379"])
        #expect(fromFlags.sidecar.stateDir == "/flag/state")
        #expect(fromFlags.postgresql.pgpass == "/flag/state/pgpass")

        let fromFile = try #require(try fixture.load(yaml).config)
        #expect(fromFile.scope == "batman" && fromFile.etcd?.hosts == ["10.0.0.1:2379"])
    }

    @Test func environmentSuppliesWhatTheFileLacks() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let environment = ["SIDECAR_SCOPE": "s", "SIDECAR_NAME": "n", "SIDECAR_DATA_DIR": "/d", "SIDECAR_ETCD_HOSTS": "127.0.0.1:2379"]
        let result = try fixture.load("sidecar:\n  keep_failed: 2\n", environment: environment)
        #expect(result.problems == [])
        #expect(result.config?.etcd == EtcdSettings(hosts: ["127.0.0.1:2379"]))
    }

    @Test func yamlBooleansAndNullsReachHooksAsPatroniRendersThem() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let yaml = ConfigFixture.minimal(
            """
              create_replica_methods: [m]
              m:
                command: restore
                a: yes
                b: "yes"
                c: off
                d: ~
                e: 010
                f: 1.50
                g: [1, "two", true]
                h: {x: null}
                i: 2026-01-01
            """
        )
        let config = try #require(try fixture.load(yaml).config)
        let argv = try PatroniArgv.replica(method: config.postgresql.chain[0], scope: "s", dataDirectory: "/d", connstring: "")
        #expect(
            Array(argv.prefix(10)) == [
                "restore", "--a=True", "--b=yes", "--c=False", "--d=None", "--e=010", "--f=1.50", "--g=[1,\"two\",true]", "--h={\"x\":null}",
                "--i=2026-01-01",
            ]
        )
    }
}
