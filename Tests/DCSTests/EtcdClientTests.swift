import Foundation
import TestSupport
import Testing

@testable import DCS

/// The libcurl client against a real etcd: encoding, omitted defaults, hosts, deadlines, auth and TLS.
@Suite struct EtcdClientTests {
    private func client(_ etcd: EtcdHarness, hosts: [String]? = nil, retryTimeout: Duration = .seconds(5)) throws -> EtcdClient {
        try EtcdClient(configuration: .init(hosts: hosts ?? [etcd.endpoint], scope: "s", name: "n", retryTimeout: retryTimeout))
    }

    @Test func keysAndValuesRoundTripAsStandardBase64() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let client = try client(etcd)
        // Values whose base64 needs padding and `+`/`/` (URL-safe or unpadded encodings are refused by the gateway).
        let pairs = [
            ("/service/ü/members/nœud-1", #"{"conn_url":"postgres://h:5432/postgres","state":"running"}"#),
            ("/service/ü/a/b/c", "\u{1}\u{2}\u{7f}~~~>>>???"),
            ("/service/ü/x", "a"),
            ("/service/ü/xy", "ab"),
            ("/service/ü/empty", ""),
            ("/service/ü/emoji 🐘", "🐘 line\nbreak\ttab"),
        ]
        for (key, value) in pairs {
            #expect(try client.txn(KVTxn(success: [.put(key: key, value: value, lease: nil)])) == .succeeded)
        }
        let read = try client.range(prefix: "/service/ü/")
        #expect(Dictionary(uniqueKeysWithValues: read.map { ($0.key, $0.value) }) == Dictionary(uniqueKeysWithValues: pairs))
        // etcdctl, etcd's own client, reads exactly what we wrote.
        #expect(try etcd.etcdctl(["get", "--print-value-only", "/service/ü/a/b/c"]) == "\u{1}\u{2}\u{7f}~~~>>>???\n")
        try etcd.etcdctl(["put", "/service/ü/from-etcdctl", "ü+/="])
        #expect(try client.range(prefix: "/service/ü/from").map(\.value) == ["ü+/="])
        // The prefix range stops at the prefix: a sibling scope is not included.
        _ = try client.txn(KVTxn(success: [.put(key: "/service/üz", value: "sibling", lease: nil)]))
        #expect(try client.range(prefix: "/service/ü/").count == pairs.count + 1)
    }

    @Test func defaultFieldsOmittedByEtcdAreReadAsTheirDefaults() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let client = try client(etcd)
        #expect(try client.range(prefix: "/nothing/here/").isEmpty)  // no `kvs`
        _ = try client.txn(KVTxn(success: [.put(key: "/k", value: "v", lease: nil)]))
        #expect(try client.txn(KVTxn(compares: [.absent("/k")], success: [.put(key: "/k", value: "w", lease: nil)])) == .failed)  // no `succeeded`
        #expect(try client.txn(KVTxn(compares: [.valueEquals("/missing", "")], success: [.delete("/k")])) == .failed)
        #expect(try client.range(prefix: "/k").map(\.value) == ["v"])

        let lease = try client.grant(ttl: .seconds(30))
        #expect(try client.keepAlive(lease: lease))
        try client.revoke(lease: lease)
        #expect(try client.keepAlive(lease: lease) == false)  // 200 without `TTL`
        #expect(try client.txn(KVTxn(success: [.put(key: "/l", value: "v", lease: lease)])) == .leaseNotFound)  // 404
        try client.revoke(lease: lease)  // unknown lease: not an error
    }

    @Test func aLeaseExpiresWithItsKeys() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let client = try client(etcd)
        let lease = try client.grant(ttl: .seconds(2))
        _ = try client.txn(KVTxn(success: [.put(key: "/leased", value: "v", lease: lease)]))
        #expect(try client.range(prefix: "/leased").count == 1)
        let deadline = ContinuousClock.now + .seconds(15)
        while try !client.range(prefix: "/leased").isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(try client.range(prefix: "/leased").isEmpty)
        #expect(try client.keepAlive(lease: lease) == false)
    }

    @Test func aDeadFirstHostFallsThroughToALiveSecond() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let dead = "127.0.0.1:\(try EtcdHarness.freePort())"
        let client = try client(etcd, hosts: [dead, etcd.endpoint], retryTimeout: .seconds(5))
        let started = ContinuousClock.now
        _ = try client.txn(KVTxn(success: [.put(key: "/k", value: "v", lease: nil)]))
        #expect(try client.range(prefix: "/k").map(\.value) == ["v"])
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(client.activeEndpoint == "http://" + etcd.endpoint)
    }

    @Test func aHostDyingMidSessionFallsThroughToTheNext() async throws {
        let first = try await EtcdHarness.start()
        defer { first.cleanup() }
        let second = try await EtcdHarness.start()
        defer { second.cleanup() }
        try second.etcdctl(["put", "/which", "second"])
        try first.etcdctl(["put", "/which", "first"])
        let client = try client(first, hosts: [first.endpoint, second.endpoint], retryTimeout: .seconds(5))
        #expect(try client.range(prefix: "/which").map(\.value) == ["first"])  // a kept-alive connection to the first
        first.stop()
        #expect(try client.range(prefix: "/which").map(\.value) == ["second"])
        #expect(client.activeEndpoint == "http://" + second.endpoint)
    }

    @Test func noAnsweringHostIsUnreachableWithinRetryTimeout() async throws {
        let refused = try EtcdClient(
            configuration: .init(hosts: ["127.0.0.1:\(try EtcdHarness.freePort())"], scope: "s", name: "n", retryTimeout: .seconds(1))
        )
        // Timed on the queue that makes the blocking call, so a busy test host does not add scheduling delays.
        let refusedOutcome = try await EtcdHarness.offPool { Self.timedFailure { () throws(DCSError) in _ = try refused.range(prefix: "/") } }
        #expect(refusedOutcome.error?.code == .unreachable)
        #expect(refusedOutcome.elapsed < .seconds(2))

        // A host that accepts the connection but never answers is cut off by the same deadline.
        let silent = try SilentListener()
        defer { silent.close() }
        let hanging = try EtcdClient(configuration: .init(hosts: ["127.0.0.1:\(silent.port)"], scope: "s", name: "n", retryTimeout: .seconds(1)))
        let hangingOutcome = try await EtcdHarness.offPool { Self.timedFailure { () throws(DCSError) in _ = try hanging.range(prefix: "/") } }
        #expect(hangingOutcome.error?.code == .unreachable)
        #expect(hangingOutcome.elapsed >= .milliseconds(900), "the silent host was waited for")
        #expect(hangingOutcome.elapsed < .seconds(2))
    }

    private static func timedFailure(_ body: () throws(DCSError) -> Void) -> (error: DCSError?, elapsed: Duration) {
        let started = ContinuousClock.now
        do {
            try body()
            return (nil, ContinuousClock.now - started)
        } catch {
            return (error, ContinuousClock.now - started)
        }
    }

    @Test func driverWaitsOutAnEtcdRestartAndRepublishes() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        let node = try EtcdDCS(.init(hosts: [etcd.endpoint], scope: "s", name: "a", retryTimeout: .seconds(1)))
        try await node.touchMember(sampleMember("a"))
        etcd.stop()
        await #expect { try await node.keepAlive() } throws: { ($0 as? DCSError)?.code == .unreachable }
        await #expect { try await node.raceInitialize() } throws: { ($0 as? DCSError)?.code == .unreachable }
        try await etcd.restart()
        try await node.keepAlive()
        #expect(try await node.cluster().members.map(\.name) == ["a"])
    }

    @Test func usernameAndPasswordAuthenticateAndReauthenticate() async throws {
        let etcd = try await EtcdHarness.start()
        defer { etcd.cleanup() }
        try etcd.enableAuth(rootPassword: "s3cret pass")
        let anonymous = try client(etcd, retryTimeout: .seconds(2))
        #expect { _ = try anonymous.range(prefix: "/") } throws: { ($0 as? DCSError)?.code == .protocolError }

        let configuration = EtcdDCS.Configuration(
            hosts: [etcd.endpoint], username: "root", password: "s3cret pass", scope: "s", name: "a", retryTimeout: .seconds(5)
        )
        let node = try EtcdDCS(configuration)
        #expect(try await node.raceInitialize())
        try await node.touchMember(sampleMember("a"))
        #expect(try await node.cluster().initializeOwner == "a")

        // An expired or revoked token is replaced transparently.
        let client = try EtcdClient(configuration: configuration)
        _ = try client.range(prefix: "/")
        client.replaceTokenForTesting("not-a-valid-token")
        #expect(try client.range(prefix: "/service/s/").count == 3)

        var wrong = configuration
        wrong.password = "nope"
        let refused = try EtcdDCS(wrong)
        await #expect { _ = try await refused.cluster() } throws: { error in
            let error = error as? DCSError
            return error?.code == .protocolError && error?.message.contains("etcd3.password") == true
        }
    }

    @Test func tlsWithPrivateCAAndClientCertificate() async throws {
        let etcd = try await EtcdHarness.start(tls: true)
        defer { etcd.cleanup() }
        let tls = try #require(etcd.tls)
        let configuration = EtcdDCS.Configuration(
            hosts: [etcd.endpoint], protocol: "https", cacert: tls.caCert, cert: tls.clientCert, key: tls.clientKey,
            scope: "s", name: "a", retryTimeout: .seconds(5)
        )
        let node = try EtcdDCS.etcd(configuration)
        #expect(try await node.raceInitialize())
        #expect(try await node.cluster().initialize == "")
        #expect(try etcd.etcdctl(["get", "--print-value-only", "/service/s/initialize_owner"]) == "a\n")

        var noClientCertificate = configuration
        noClientCertificate.cert = nil
        noClientCertificate.key = nil
        noClientCertificate.retryTimeout = .seconds(1)
        await #expect { _ = try await EtcdDCS(noClientCertificate).cluster() } throws: { ($0 as? DCSError)?.code == .unreachable }
        var untrusted = configuration
        untrusted.cacert = nil
        untrusted.retryTimeout = .seconds(1)
        await #expect { _ = try await EtcdDCS(untrusted).cluster() } throws: { ($0 as? DCSError)?.code == .unreachable }
    }
}
