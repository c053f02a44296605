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

    /// What no route sees: a request the server cannot read gets a 4xx JSON error and the connection closes; HEAD is
    /// answered like GET without the body; a keep-alive connection serves request after request; a client that
    /// trickles its request is answered 408 once the request deadline (10 s) passes; an endless header is cut at
    /// 16 KiB with 431.
    @Test func unreadableRequestsGetAJSONErrorHeadAnswersLikeGetAndKeepAliveWorks() async throws {
        let world = try SidecarWorld(scope: "rules")
        defer { world.tearDown() }
        let node = try world.node("c")
        try node.configure()
        let port = node.httpPort
        try await HTTPDaemon.with(node) { _ in
            try await HTTPProbe.waitFor(port: port, "/health", .seconds(30), "/health 200") { $0.status == 200 }
            try await EtcdHarness.offPool {
                // Started first: its deadline runs while the other checks do.
                let trickle = try HTTPProbe.Connection(port: port, timeout: .seconds(20))
                let trickleStarted = ContinuousClock.now
                try trickle.send("GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n")

                let unreadable: [(String, Int)] = [
                    ("GARBAGE\r\n\r\n", 400),
                    ("GET /status HTTP/9.9\r\n\r\n", 505),
                    ("GET /status HTTP/1.1\r\nno colon\r\n\r\n", 400),
                    ("GET /status HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
                    ("POST /reinit HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
                    ("GET /jobs?state=%zz HTTP/1.1\r\n\r\n", 400),
                ]
                for (text, status) in unreadable {
                    let connection = try HTTPProbe.Connection(port: port)
                    try connection.send(text)
                    let response = try connection.readResponse()
                    #expect(response.status == status, "\(text.debugDescription): \(response.status) \(response.body)")
                    #expect(try response.json()["error"] is String, "\(text.debugDescription): \(response.body)")
                    #expect(response.headers["connection"] == "close")
                    #expect(connection.waitForClose(), "\(text.debugDescription): the connection closes after the answer")
                }

                // An endless header: answered 431 once it passes 16 KiB, then closed; the daemon does not keep reading.
                let endless = try HTTPProbe.Connection(port: port)
                try endless.send("GET /status HTTP/1.1\r\nX-Endless: ")
                var refused: HTTPProbe.Response?
                for _ in 0..<64 where refused == nil {
                    do {
                        try endless.send(String(repeating: "a", count: 1024))
                    } catch {
                        refused = try endless.readResponse()
                    }
                }
                let answer = try refused ?? endless.readResponse()
                #expect(answer.status == 431)
                #expect(try answer.json()["error"] is String)

                // HEAD: GET's status and length, no body; the connection stays usable for the next request.
                let kept = try HTTPProbe.Connection(port: port)
                try kept.send("HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let head = try kept.readResponse(head: true)
                #expect(head.status == 200)
                #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
                #expect(head.body.isEmpty)
                #expect(head.headers["connection"] == "keep-alive")
                try kept.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let get = try kept.readResponse()
                #expect(get.status == 200)
                #expect(try get.json()["healthy"] as? Bool == true)
                try kept.send("GET /readiness HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(try kept.readResponse().status == 503)
                #expect(kept.waitForClose())
                let headRefused = try HTTPProbe.Connection(port: port)
                try headRefused.send("HEAD /reinit HTTP/1.1\r\n\r\n")
                let refusedHead = try headRefused.readResponse(head: true)
                #expect(refusedHead.status == 405)
                #expect(refusedHead.headers["allow"] == "POST")

                // The trickling client: 408 after the deadline, counted from its first byte's connection.
                let late = try trickle.readResponse()
                let waited = ContinuousClock.now - trickleStarted
                #expect(late.status == 408)
                #expect(waited >= .seconds(9) && waited < .seconds(15), "answered after \(waited)")
                #expect(trickle.waitForClose())
            }
            #expect(try await HTTPProbe.request(port: port, "/status").status == 200, "the daemon still answers")
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
