import Foundation
import TestSupport
import Testing

/// SPEC §10's rules that need no PostgreSQL: the token rule for `POST /reinit` and non-loopback addresses, JSON errors
/// for everything refused, a port in use, and a node that waits for a leader (not ready, but healthy).
@Suite(.timeLimit(.minutes(3)))
struct HTTPRulesTests {
    @Test func aWaitingNodeAnswersEveryRouteWithJSONAndRefusesReinitWithoutAToken() async throws {
        let world = try SidecarWorld(scope: "rules")
        defer { world.tearDown() }
        let node = try world.node("c")
        try node.configure()
        let port = node.httpPort
        try await HTTPDaemon.with(node) { _ in

            // Healthy while the cycle runs; not ready: no bootstrap section, no leader, so the image job waits.
            try await HTTPProbe.waitFor(port: port, "/health", .seconds(30), "/health 200") { $0.status == 200 }
            let readiness = try await HTTPProbe.waitFor(port: port, "/readiness", .seconds(30), "a reason") { response in
                (try response.json()["reason"] as? String)?.contains("imaging") == true || response.status == 503
            }
            #expect(readiness.status == 503)
            #expect(try readiness.json()["ready"] as? Bool == false)

            // Without sidecar.api_token the route is off, whatever the request says.
            let reinit = try await HTTPProbe.request(
                port: port, "/reinit", method: "POST", headers: ["Authorization": "Bearer anything"], body: #"{"from_leader": true}"#)
            #expect(reinit.status == 403)
            #expect((try reinit.json()["error"] as? String)?.contains("sidecar.api_token") == true)
            #expect(reinit.headers["content-type"]?.hasPrefix("application/json") == true)

            // Unknown routes, wrong methods, bad parameters, huge bodies: 4xx with a JSON error.
            let refusals: [(String, String, [String: String], Int)] = [
                ("GET", "/nope", [:], 404),
                ("GET", "/jobs/1/attempts", [:], 404),
                ("POST", "/status", [:], 405),
                ("DELETE", "/jobs/1", [:], 405),
                ("GET", "/jobs?state=exploded", [:], 400),
                ("GET", "/jobs?kind=nothing", [:], 400),
                ("GET", "/jobs?limit=0", [:], 400),
                ("GET", "/jobs?limit=abc", [:], 400),
                ("GET", "/jobs?colour=red", [:], 400),
                ("GET", "/jobs/abc", [:], 400),
                ("GET", "/jobs/999999", [:], 404),
                ("GET", "/status", ["Content-Length": "1000000000"], 413),
            ]
            for (method, path, headers, status) in refusals {
                let connection = try HTTPProbe.Connection(port: port)
                try connection.send(HTTPProbe.requestText(method, path, headers: headers))
                let response = try connection.readResponse()
                #expect(response.status == status, "\(method) \(path): \(response.status) \(response.body)")
                #expect(try response.json()["error"] is String, "\(method) \(path): \(response.body)")
            }
            #expect(try await HTTPProbe.request(port: port, "/status").status == 200)
        }
    }

    @Test func aNonLoopbackAddressNeedsATokenAndABusyPortIsAStartError() async throws {
        let world = try SidecarWorld(scope: "rules")
        defer { world.tearDown() }
        let node = try world.node("d")

        try node.configure(sidecar: "  listen: 0.0.0.0:\(node.httpPort)")
        let refused = try await node.sidecar(["config", "check"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("sidecar.listen"), "\(refused.stderr)")
        #expect(refused.stderr.contains("sidecar.api_token"), "\(refused.stderr)")
        let run = try await node.sidecar(["run"], timeout: .seconds(30))
        #expect(run.status == 64, "\(run.stderr)")

        try node.configure(sidecar: "  listen: 0.0.0.0:\(node.httpPort)\n  api_token: a-long-random-token")
        #expect(try await node.sidecar(["config", "check"]).status == 0)

        // A port another process listens on: `sidecar run` stops at once with the address in its message.
        let holder = try HTTPDaemon.listen(port: node.httpPort)
        defer { close(holder) }
        try node.configure()
        let busy = try await node.sidecar(["run"], timeout: .seconds(30))
        #expect(busy.status == 1, "\(busy.stderr)")
        #expect(busy.stderr.contains("127.0.0.1:\(node.httpPort)"), "\(busy.stderr)")
        #expect(busy.stderr.contains("cannot listen"), "\(busy.stderr)")
        #expect(try node.jobs().isEmpty, "nothing ran before the start error")
    }

    @Test func reinitWithATokenRunsTheChecksOfSidecarReinit() async throws {
        let world = try SidecarWorld(scope: "rules")
        defer { world.tearDown() }
        let node = try world.node("e")
        try node.configure(sidecar: "  api_token: another-token-0123456789")
        let port = node.httpPort
        try await HTTPDaemon.with(node) { _ in
            try await HTTPProbe.waitFor(port: port, "/health", .seconds(30), "/health 200") { $0.status == 200 }
            let auth = ["Authorization": "Bearer another-token-0123456789"]
            // No leader and no other member: no clone source, refused as `sidecar reinit` refuses.
            let refused = try await HTTPProbe.request(port: port, "/reinit", method: "POST", headers: auth, body: "{}")
            #expect(refused.status == 409, "\(refused.body)")
            #expect((try refused.json()["error"] as? String)?.hasPrefix("refusing to reinit") == true, "\(refused.body)")
            // With force the request passes the check, but the waiting image job is the data dir's unfinished job.
            let forced = try await HTTPProbe.request(port: port, "/reinit", method: "POST", headers: auth, body: #"{"force": true}"#)
            #expect(forced.status == 409, "\(forced.body)")
            let existing = try #require(try forced.json()["job"] as? [String: Any])
            #expect(existing["kind"] as? String == "image")
            #expect(try node.jobs().map(\.kind) == [.image])
        }
    }
}
