import DCS
import Foundation
import Testing

/// Member records in Patroni's JSON shape, both directions.
@Suite struct MemberJSONTests {
    @Test func sidecarWritesPatronisFieldNames() throws {
        let member = Member(
            name: "b",
            connURL: "postgres://10.0.0.2:5433/postgres",
            apiURL: "http://10.0.0.2:8009/patroni",
            state: Member.State.creatingReplica,
            role: "replica",
            version: "0.1.0",
            clonefrom: true,
            tags: ["zone": "eu-1"]
        )
        let json = member.json()
        #expect(!json.contains("\n") && !json.contains(": "), "compact, as Patroni writes it")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["conn_url", "api_url", "state", "role", "version", "tags"])
        #expect(object["conn_url"] as? String == "postgres://10.0.0.2:5433/postgres")
        #expect(object["api_url"] as? String == "http://10.0.0.2:8009/patroni")
        #expect(object["state"] as? String == "creating replica")
        #expect(object["role"] as? String == "replica")
        let tags = try #require(object["tags"] as? [String: Any])
        #expect(tags["clonefrom"] as? Bool == true)
        #expect(tags["zone"] as? String == "eu-1")
        #expect(Member.parse(name: "b", json: json) == member)
    }

    @Test func jsonHasSortedKeysUnescapedSlashesAndEscapedControlCharacters() throws {
        let plain = Member(
            name: "a", connURL: "postgres://h:5432/postgres", state: "running", role: "replica", clonefrom: true, tags: ["zone": "eu/1"])
        #expect(
            plain.json() == #"{"conn_url":"postgres://h:5432/postgres","role":"replica","state":"running","tags":{"clonefrom":true,"zone":"eu/1"}}"#)
        let odd = "q\"b\\n\nr\rt\tb\u{08}f\u{0C}c\u{01}\u{1F}é€😀/"
        let member = Member(name: "a", connURL: odd, state: odd, role: odd, version: odd, nofailover: true, tags: [odd: odd, "B": "1", "a": "2"])
        let json = member.json()
        #expect(json.contains(#""q\"b\\n\nr\rt\tb\bf\fc\u0001\u001fé€😀/""#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["conn_url"] as? String == odd)
        let tags = try #require(object["tags"] as? [String: Any])
        #expect(tags[odd] as? String == odd && tags["nofailover"] as? Bool == true)
        #expect(Member.parse(name: "a", json: json) == member)
    }

    @Test func aMemberWrittenByPatroniReadsAsACloneSource() throws {
        // As Patroni 3.x/4.x publishes a running replica (older versions say `master` for the primary).
        let patroniReplica = """
            {"conn_url":"postgres://10.0.0.3:5432/postgres","api_url":"http://10.0.0.3:8008/patroni","state":"running",\
            "role":"replica","version":"4.1.5","xlog_location":50331968,"replication_state":"streaming","timeline":1,\
            "tags":{"clonefrom":true,"nofailover":"true"}}
            """
        let replica = try #require(Member.parse(name: "pg-3", json: patroniReplica))
        #expect(replica.isRunning && !replica.isPrimary)
        #expect(replica.clonefrom && replica.nofailover)
        #expect(replica.hostAndPort?.host == "10.0.0.3" && replica.hostAndPort?.port == 5432)
        #expect(replica.version == "4.1.5")

        let patroniPrimary =
            #"{"conn_url":"postgres://10.0.0.1:5432/postgres","api_url":"http://10.0.0.1:8008/patroni","state":"running","role":"master"}"#
        let primary = try #require(Member.parse(name: "pg-1", json: patroniPrimary))
        #expect(primary.isPrimary && !primary.clonefrom)
        #expect(Member.parse(name: "x", json: "not json") == nil)
    }

    @Test func clusterViewFoldsPatroniKeysAndIgnoresOthers() {
        let keys = DCSKeys(namespace: "/service", scope: "demo")
        #expect(keys.initialize == "/service/demo/initialize")
        let view = keys.view(from: [
            ("/service/demo/initialize", "7312345678901234567"),
            ("/service/demo/leader", "pg-1"),
            ("/service/demo/members/pg-1", #"{"conn_url":"postgres://h1:5432/postgres","state":"running","role":"master"}"#),
            ("/service/demo/members/pg-2", "garbage"),
            ("/service/demo/config", #"{"ttl":30}"#),
            ("/service/demo/history", "[]"),
            ("/service/demo/status", #"{"optime":1}"#),
        ])
        #expect(view.initialize == "7312345678901234567")
        #expect(view.leaderMember?.name == "pg-1")
        #expect(view.members.map(\.name) == ["pg-1"])
        #expect(view.config == #"{"ttl":30}"#)
        #expect(view.initializeOwner == nil)
    }
}
