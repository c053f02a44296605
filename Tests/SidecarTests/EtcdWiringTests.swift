import DCS
import Foundation
import JobStore
import TestSupport
import Testing

/// `etcd3:` in the YAML reaches `EtcdDCS` (hosts in each of Patroni's forms, protocol, TLS files, user and password),
/// and member records are exchanged with Patroni's JSON shape.
@Suite(.timeLimit(.minutes(5)))
struct EtcdWiringTests {
    /// `sidecar dcs show --json` through the node's config; the parsed document, or nil with the result.
    static func show(_ node: SidecarNode) async throws -> (result: AsUser.Result, json: [String: Any]?) {
        let result = try await node.sidecar(["dcs", "show", "--json"])
        let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result, json)
    }

    static func story(_ node: SidecarNode, _ primary: PostgresCluster) -> String {
        let log = (try? String(contentsOfFile: primary.logFile, encoding: .utf8)) ?? ""
        let replication = (try? primary.query("SELECT application_name, state FROM pg_stat_replication")) ?? ""
        return node.story() + "\nprimary: " + replication + "\n" + log.split(separator: "\n").suffix(10).joined(separator: "\n")
    }

    @Test func etcd3SectionReachesTheDriverWithTLSAndAuth() async throws {
        let etcd = try await EtcdHarness.start(tls: true)
        defer { etcd.cleanup() }
        let password = "se cr:et'\"x"
        try await etcd.ctl(["user", "add", "sidecar", "--new-user-password", password, "--interactive=false"])
        try await etcd.ctl(["role", "add", "wiring"])
        try await etcd.ctl(["role", "grant-permission", "wiring", "--prefix=true", "readwrite", "/service/wiring/"])
        try await etcd.ctl(["user", "grant-role", "sidecar", "wiring"])
        try await etcd.ctl(["role", "grant-permission", "wiring", "--prefix=true", "readwrite", "/custom/wiring/"])
        try await etcd.ctl(["put", "/service/wiring/initialize", "7000000000000000001"])
        try await etcd.ctl(["put", "/custom/wiring/initialize", "7000000000000000002"])
        try await EtcdHarness.offPool { try etcd.enableAuth(rootPassword: "root-pw") }

        let world = try await SidecarWorld.make(scope: "wiring")
        defer { world.tearDown() }
        let node = try world.node("w")
        let dead = "127.0.0.1:\(try FreePort.next())"
        let live = etcd.endpoint
        let escaped = password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        // etcd's JSON gateway refuses a client certificate with a CommonName once auth is on: sidecar's users need one
        // without CN (signed by the same CA).
        // retry_timeout 6 s: a TLS handshake plus authentication can take seconds on a loaded 2-core CI machine.
        let withCN = try world.etcdSection(etcd, retryTimeout: 6, username: "sidecar", password: escaped)
        let clientCert = try await EtcdHarness.offPool { try Self.certificateWithoutCommonName(etcd, world: world) }
        let good = withCN.replacingOccurrences(of: "\(world.directory.path)/etcd-tls/client.crt", with: clientCert.cert)
            .replacingOccurrences(of: "\(world.directory.path)/etcd-tls/client.key", with: clientCert.key)
        #expect(good != withCN)
        let forms = [
            ("comma string, dead host first", "hosts: \"\(dead), \(live)\""),
            ("list", "hosts: [\(dead), \(live)]"),
            ("single host", "host: \(live)"),
        ]
        for (form, hosts) in forms {
            let section = good.replacingOccurrences(of: "  hosts: \(live)", with: "  " + hosts)
            try await node.configure(etcd: section)
            let (result, json) = try await Self.show(node)
            #expect(result.succeeded, "\(form): \(result.stderr)")
            #expect(json?["prefix"] as? String == "/service/wiring", "\(form)")
            #expect(json?["initialize"] as? String == "7000000000000000001", "\(form)")
            #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
        }
        // The top-level namespace reaches the driver's key prefix.
        try await node.configure(etcd: good, top: "namespace: custom")
        let (custom, customJSON) = try await Self.show(node)
        #expect(custom.succeeded, "\(custom.stderr)")
        #expect(customJSON?["prefix"] as? String == "/custom/wiring")
        #expect(customJSON?["initialize"] as? String == "7000000000000000002")

        // Each setting is used: a wrong password, a missing client certificate, plain http all fail.
        let broken = [
            ("wrong password", good.replacingOccurrences(of: escaped, with: "nope")),
            (
                "no client certificate",
                good.split(separator: "\n").filter { !$0.hasPrefix("  cert:") && !$0.hasPrefix("  key:") }.joined(separator: "\n")
            ),
            ("no CA", good.split(separator: "\n").filter { !$0.hasPrefix("  cacert:") }.joined(separator: "\n")),
            ("http", good.replacingOccurrences(of: "protocol: https", with: "protocol: http")),
        ]
        for (what, section) in broken {
            // Refused handshakes are retried until retry_timeout: keep it short here.
            try await node.configure(etcd: section.replacingOccurrences(of: "retry_timeout: 6", with: "retry_timeout: 2"))
            let (result, _) = try await Self.show(node)
            #expect(!result.succeeded, "\(what) should fail")
            #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
        }
        try await node.configure(etcd: good.replacingOccurrences(of: escaped, with: "nope"))
        let refused = try await node.sidecar(["dcs", "show"])
        #expect(refused.status == 1, "etcd refusing the credentials is an answer, not an outage (69): \(refused.stderr)")
        #expect(refused.stderr.contains("etcd refused user 'sidecar'"), "\(refused.stderr)")
        try await node.configure(etcd: withCN)
        let commonName = try await node.sidecar(["dcs", "show"])
        #expect(commonName.status == 1)
        #expect(commonName.stderr.contains("use a client certificate without CN"), "\(commonName.stderr)")
    }

    /// A client certificate without a CommonName, signed by the harness's CA, readable by `postgres`.
    static func certificateWithoutCommonName(_ etcd: EtcdHarness, world: SidecarWorld) throws -> (cert: String, key: String) {
        let directory = world.directory.file("etcd-tls")
        let (cert, key, request, extensions) = (directory + "/nocn.crt", directory + "/nocn.key", directory + "/nocn.csr", directory + "/nocn.ext")
        try "subjectAltName=DNS:sidecar-client\nextendedKeyUsage=clientAuth\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        let commands = [
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", request, "-subj", "/O=sidecar"],
            [
                "x509", "-req", "-in", request, "-CA", etcd.directory + "/ca.crt", "-CAkey", etcd.directory + "/ca.key", "-CAcreateserial",
                "-out", cert, "-days", "2", "-extfile", extensions,
            ],
        ]
        for arguments in commands {
            let result = try AsUser.run(["/usr/bin/openssl"] + arguments, user: nil)
            guard result.succeeded else { throw TestSupportError("openssl \(arguments[0]): \(result.stderr)") }
        }
        try SidecarWorld.chownTree(directory)
        return (cert, key)
    }

    @Test func patroniMemberRecordsAreCloneSourcesAndSidecarWritesPatronisShape() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let world = try await SidecarWorld.make(scope: "patroni")
        defer { world.tearDown() }
        // A PostgreSQL that Patroni would run, announced by hand in Patroni's own format.
        let primary = try await EtcdHarness.offPool { try PostgresCluster.running() }
        defer { primary.remove() }
        _ = try await EtcdHarness.offPool { try primary.query("CREATE ROLE replicator REPLICATION LOGIN PASSWORD 'x'") }
        let controldata = try await EtcdHarness.offPool {
            try AsUser.run([PostgresCluster.binary("pg_controldata"), "-D", primary.dataDirectory], user: nil)
        }
        let systemIdentifier = try #require(
            controldata.stdout.split(separator: "\n").first { $0.hasPrefix("Database system identifier:") }?.split(separator: ":").last
        ).trimmingCharacters(in: .whitespaces)
        let leaderRecord = """
            {"conn_url":"postgres://127.0.0.1:\(primary.port)/postgres","api_url":"http://127.0.0.1:8008/patroni","state":"running",\
            "role":"master","version":"3.0.2","xlog_location":50331648,"timeline":1,"tags":{"nofailover":false}}
            """
        try await etcd.ctl(["put", "/service/patroni/initialize", systemIdentifier])
        try await etcd.ctl(["put", "/service/patroni/members/pg-leader", leaderRecord])
        try await etcd.ctl(["put", "/service/patroni/leader", "pg-leader"])
        let leaderView = try await world.etcdView(etcd)
        #expect(leaderView.leaderMember?.isPrimary == true)

        let section = try world.etcdSection(etcd)
        let x = try world.node("x")
        try await x.configure(etcd: section)
        let run = try await x.runOnce()
        #expect(run.succeeded, "\(run.stderr)")
        #expect(try x.attempts().map(\.cloneSource) == ["pg-leader"], "\(x.story())")
        try await EtcdOutageTests.waitUntil(.seconds(30), "x streaming from the Patroni primary", Self.story(x, primary)) {
            try await EtcdHarness.offPool { try primary.query("SELECT state FROM pg_stat_replication WHERE application_name = 'x'") } == "streaming"
        }

        // x's member JSON as Patroni's tools read it.
        let raw = try await etcd.ctl(["get", "/service/patroni/members/x", "--print-value-only"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let member = try #require(try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any], "\(raw)")
        let patroniFields: Set<String> = [
            "conn_url", "api_url", "state", "role", "version", "tags", "xlog_location", "timeline", "replication_state", "pending_restart",
        ]
        #expect(Set(member.keys).isSubset(of: patroniFields), "\(raw)")
        #expect(member["conn_url"] as? String == "postgres://127.0.0.1:\(x.port)/postgres")
        #expect(member["role"] as? String == "replica")
        #expect(member["state"] as? String == Member.State.running)
        #expect((member["api_url"] as? String)?.hasPrefix("http://") == true)
        #expect(!raw.contains("\\/"), "Patroni writes slashes unescaped: \(raw)")

        // A Patroni replica tagged clonefrom (x's server, announced under another name) is preferred to the leader.
        let cloneRecord = """
            {"conn_url":"postgres://127.0.0.1:\(x.port)/postgres","api_url":"http://127.0.0.1:8009/patroni","state":"running",\
            "role":"replica","version":"3.0.2","replication_state":"streaming","timeline":1,"tags":{"clonefrom":true}}
            """
        try await etcd.ctl(["put", "/service/patroni/members/pg-clone", cloneRecord])
        let y = try world.node("y")
        try await y.configure(etcd: section)
        let second = try await y.runOnce()
        #expect(second.succeeded, "\(second.stderr)")
        let events = try y.eventMessages()
        #expect(events.contains("trying to bootstrap from replica 'pg-clone'"), "\(y.story())")
        #expect(try y.attempts().map(\.cloneSource) == ["pg-clone"])
        try await EtcdOutageTests.waitUntil(.seconds(30), "y streaming from x", y.story()) {
            try await x.query("SELECT state FROM pg_stat_replication WHERE application_name = 'y'") == "streaming"
        }
        await y.stopPostgres()
        await x.stopPostgres()
    }
}
