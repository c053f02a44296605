import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Sidecar

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
    /// trickles its request is answered 408 once the request deadline (10 s) passes; an endless header, or an endless
    /// run of empty lines before the request line, is cut at 16 KiB with 431.
    @Test func unreadableRequestsGetAJSONErrorHeadAnswersLikeGetAndKeepAliveWorks() async throws {
        let world = try SidecarWorld(scope: "rules")
        defer { world.tearDown() }
        let node = try world.node("c")
        try node.configure()
        let port = node.httpPort
        try await HTTPDaemon.with(node) { _ in
            try await HTTPProbe.waitFor(port: port, "/health", .seconds(30), "/health 200") { $0.status == 200 }
            try await HTTPProbe.onOwnThread {
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

                // Empty lines before a request line count toward the 16 KiB too: a stream of them is cut there.
                let blank = try HTTPProbe.Connection(port: port)
                try blank.send(String(repeating: "\r\n", count: 9000))
                let blankAnswer = try blank.readResponse()
                #expect(blankAnswer.status == 431, "\(blankAnswer.body)")
                #expect(blank.ending() == .end, "closed in order after the answer")

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

// MARK: - The server itself, in this process, with handlers of the test's own

extension HTTPRulesTests {
    /// Runs an ``HTTPConnectionServer`` on a free loopback port while `body` runs, then stops it.
    static func withServer(
        limits: HTTPConnectionServer.Limits = .init(), handler: @escaping HTTPConnectionServer.Handler,
        _ body: (_ port: Int, _ server: HTTPConnectionServer) async throws -> Void
    ) async throws {
        let port = try EtcdHarness.freePort()
        let server = HTTPConnectionServer(listener: try ListenAddress(parsing: "127.0.0.1:\(port)").listen(), limits: limits, handler: handler)
        // Accepting from here on, whenever the task below gets a thread of the pool (other tests may hold it a while).
        server.start()
        let running = Task { await server.run() }
        do {
            try await body(port, server)
        } catch {
            server.stop()
            await running.value
            throw error
        }
        server.stop()
        await running.value
    }

    static let ok = HTTPReply.json(.object([("ok", .bool(true))]))

    /// More requests than the cooperative pool has threads, whose handler blocks (as a SQLite read may), are all in
    /// their handlers at once: they hold connection threads, not the pool (as tasks, at most one per pool thread would
    /// be, and the pool with them).
    @Test func blockingHandlersRunOnConnectionThreadsNotTheCooperativePool() async throws {
        let count = ProcessInfo.processInfo.activeProcessorCount + 4
        let inside = Mutex((now: 0, most: 0))
        let gate = DispatchGroup()
        gate.enter()
        try await Self.withServer(handler: { _ in
            inside.withLock {
                $0.now += 1; $0.most = max($0.most, $0.now)
            }
            _ = gate.wait(timeout: .now() + 20)
            inside.withLock { $0.now -= 1 }
            return .answered(Self.ok)
        }) { port, _ in
            let clients = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<count {
                        group.addTask {
                            try await HTTPProbe.onOwnThread {
                                let connection = try HTTPProbe.Connection(port: port, timeout: .seconds(30))
                                try connection.send(HTTPProbe.requestText("GET", "/status"))
                                return try connection.readResponse().status
                            }
                        }
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            let deadline = ContinuousClock.now + .seconds(15)
            while inside.withLock({ $0.most }) < count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            gate.leave()
            #expect(inside.withLock { $0.most } == count, "all \(count) handlers blocked at once")
            #expect(try await clients.value == Array(repeating: 200, count: count))
        }
    }

    /// A handler that awaits past its limit is answered 500 and may not take its effect afterwards; one that committed
    /// its effect before the limit is waited for, and its own answer is sent.
    @Test func anAwaitingHandlerPastItsLimitIsAnswered500AndCannotActAfterwards() async throws {
        let lateCommit = Mutex<Bool?>(nil)
        try await Self.withServer(handler: { request in
            if request.path == "/slow" {
                return .awaiting(limit: .milliseconds(300)) { gate in
                    try? await Task.sleep(for: .seconds(30))
                    let committed = gate.commit()
                    lateCommit.withLock { $0 = committed }
                    return Self.ok
                }
            }
            // A limit long enough for the task to get a pool thread while other tests run; it commits at once and
            // answers half a second after the limit (the server waits up to 10 s more for a committed handler).
            return .awaiting(limit: .seconds(5)) { gate in
                let committed = gate.commit()
                try? await Task.sleep(for: .milliseconds(5500))
                return HTTPReply.json(.object([("committed", .bool(committed))]), status: .accepted)
            }
        }) { port, _ in
            let (slow, took) = try await HTTPProbe.onOwnThread {
                let started = ContinuousClock.now
                let connection = try HTTPProbe.Connection(port: port, timeout: .seconds(40))
                try connection.send(HTTPProbe.requestText("POST", "/slow"))
                return (try connection.readResponse(), ContinuousClock.now - started)
            }
            #expect(slow.status == 500, "\(slow.body)")
            #expect(took < .seconds(10), "answered at the limit, not when the handler ended (30 s): \(took)")
            let deadline = ContinuousClock.now + .seconds(60)
            while lateCommit.withLock({ $0 }) == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(lateCommit.withLock { $0 } == false, "the given-up handler is told not to act")

            let committed = try await HTTPProbe.onOwnThread {
                let connection = try HTTPProbe.Connection(port: port, timeout: .seconds(30))
                try connection.send(HTTPProbe.requestText("POST", "/committed"))
                return try connection.readResponse()
            }
            #expect(committed.status == 202, "\(committed.body)")
            #expect(try committed.json()["committed"] as? Bool == true)
        }
    }

    /// When no thread can be started for a connection (here: a stack the address space cannot hold, so
    /// `pthread_create` fails as it does at a pids limit), the client gets a 503 JSON error and the connection is not
    /// counted: more failures than the connection limit still leave the server accepting.
    @Test func aConnectionWithoutAThreadIsAnswered503AndTheServerKeepsAccepting() async throws {
        var limits = HTTPConnectionServer.Limits()
        limits.threadStackBytes = 1 << 47
        limits.maxConnections = 2
        let handled = Mutex(0)
        try await Self.withServer(
            limits: limits,
            handler: { _ in
                handled.withLock { $0 += 1 }
                return .answered(Self.ok)
            }
        ) { port, server in
            for attempt in 1...5 {
                let response = try await HTTPProbe.onOwnThread {
                    let connection = try HTTPProbe.Connection(port: port, timeout: .seconds(5))
                    return try connection.readResponse()
                }
                #expect(response.status == 503, "attempt \(attempt): \(response.body)")
                #expect(try response.json()["error"] is String)
                #expect(response.headers["connection"] == "close")
            }
            #expect(server.connections == 0)
            #expect(handled.withLock { $0 } == 0)
        }
    }

    /// A refused request whose client is still sending (the rest of an oversized head or body) gets its answer and an
    /// orderly end, not a reset that can destroy the answer before the client reads it.
    @Test func aRefusalReachesAClientThatIsStillSending() async throws {
        try await Self.withServer(handler: { _ in .answered(Self.ok) }) { port, _ in
            let cases: [(String, Int)] = [
                ("GET /status HTTP/1.1\r\nX-Endless: " + String(repeating: "a", count: 48 * 1024), 431),
                ("POST /reinit HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + String(repeating: "{", count: 48 * 1024), 413),
                ("GET /status HTTP/1.1\r\nno colon\r\n\r\n" + String(repeating: "b", count: 48 * 1024), 400),
            ]
            for (text, status) in cases {
                let (response, ending) = try await HTTPProbe.onOwnThread {
                    let connection = try HTTPProbe.Connection(port: port, timeout: .seconds(5))
                    try connection.send(bytes: Array(text.utf8))
                    let response = try connection.readResponse()
                    return (response, connection.ending())
                }
                #expect(response.status == status, "\(response.body)")
                #expect(ending == .end, "\(status): the server ends the connection in order")
            }
        }
    }
}
