import Foundation
import JobStore
import TestSupport
import Testing

/// SPEC §10 against a running daemon (real PostgreSQL, local DCS): node `b` builds its replica through the chain
/// [gated, basebackup] while the test watches. `gated` prints lines until the test opens its gate, then fails, so
/// the status, the CLI's progress column, the probes, 200 concurrent clients and a silent client are all seen while a
/// hook runs; then basebackup (with `--progress`) makes the replica and the documents and metrics are checked
/// against `sidecar jobs`.
@Suite(.timeLimit(.minutes(5)))
struct HTTPEndpointTests {
    static let token = "test-token-0123456789"

    @Test func everyEndpointWhileAHookRunsAndAfterTheReplicaIsReady() async throws {
        let world = try SidecarWorld(scope: "http")
        defer { world.tearDown() }
        _ = try await ImagingEndToEndTests.primary(world, "a")
        let gate = world.directory.file("gate")
        try world.hook(
            "gated",
            """
            echo "restore: starting"
            i=0
            while [ ! -e \(gate) ]; do i=$((i+1)); echo "restore: waiting for the gate ($i)"; sleep 0.2; done
            echo "restore: no backup here" >&2
            exit 1
            """)
        let b = try world.node("b")
        try b.configure(postgresql: "  create_replica_methods: [gated, basebackup]", sidecar: "  api_token: \(Self.token)")
        let port = b.httpPort

        try await HTTPDaemon.with(b) { _ in
            // /status while `gated` runs: the job, its attempt, the last line, the bytes so far.
            let running = try await HTTPProbe.waitFor(port: port, "/status", .seconds(60), "gated running") { response in
                let attempt = (try response.json()["current_job"] as? [String: Any])?["attempt"] as? [String: Any]
                return attempt?["method"] as? String == "gated" && (attempt?["last_line"] as? String)?.hasPrefix("restore: waiting") == true
            }
            let status = try running.json()
            #expect(status["node"] as? String == "b")
            #expect(status["scope"] as? String == "http")
            #expect(status["leader"] as? String == "a")
            #expect((status["dcs"] as? [String: Any])?["backend"] as? String == "local")
            #expect((status["dcs"] as? [String: Any])?["reachable"] as? Bool == true)
            #expect(status["ready"] as? Bool == false)
            let job = try #require(status["current_job"] as? [String: Any])
            #expect(job["kind"] as? String == "image")
            let attempt = try #require(job["attempt"] as? [String: Any])
            #expect((attempt["output_bytes"] as? Int ?? 0) > 0)
            #expect((attempt["elapsed_seconds"] as? Int ?? -1) >= 0)
            #expect(attempt["progress"] is NSNull)
            let jobID = try #require(job["id"] as? Int)

            let readiness = try await HTTPProbe.request(port: port, "/readiness")
            #expect(readiness.status == 503)
            #expect((try readiness.json()["reason"] as? String)?.contains("imaging") == true, "\(readiness.body)")
            #expect(try await HTTPProbe.request(port: port, "/health").status == 200)

            // The command line, from another process, shows the running hook and its last line.
            try await SidecarNode.waitUntil(.seconds(30), "jobs list shows the running hook") {
                let list = try await b.sidecar(["jobs", "list"]).stdout
                return list.contains("running gated for") && list.contains("last: restore: waiting")
            }
            let show = try await b.sidecar(["jobs", "show", "\(jobID)"])
            #expect(show.stdout.contains("last: restore: waiting"), "\(show.stdout)")

            // 200 clients at once while the hook runs: all answered with the running job.
            let answers = try await Self.concurrentStatus(port: port, clients: 200)
            #expect(answers.count == 200)
            #expect(answers.allSatisfy { $0 == jobID })

            // A client that connects and sends nothing: the cycle keeps running and others are served ...
            let silent = try await EtcdHarness.offPool { try HTTPProbe.Connection(port: port, timeout: .seconds(30)) }
            let before = try await HTTPProbe.request(port: port, "/health").json()["last_cycle_at"] as? String
            try await HTTPProbe.waitFor(port: port, "/health", .seconds(30), "two more cycles") { response in
                try response.status == 200 && (response.json()["last_cycle_at"] as? String) != before
            }
            #expect(try await HTTPProbe.request(port: port, "/status").status == 200)

            // Open the gate: gated fails, basebackup copies with --progress, the replica starts: ready.
            _ = FileManager.default.createFile(atPath: gate, contents: nil)
            try await HTTPProbe.waitFor(port: port, "/readiness", .seconds(90), "b ready") { $0.status == 200 }
            // ... and only for the idle timeout (10 s): then the server closes it.
            #expect(try await EtcdHarness.offPool { silent.waitForClose() }, "the silent connection is closed after the idle timeout")

            let done = try await HTTPProbe.request(port: port, "/status").json()
            #expect(done["current_job"] is NSNull)
            #expect(done["instance"] as? String == "replica")
            let last = try #require(done["last_finished_job"] as? [String: Any])
            #expect(last["id"] as? Int == jobID)
            #expect(last["state"] as? String == "succeeded")
            #expect((done["data_dir"] as? [String: Any])?["state"] as? String == "valid")

            try await Self.documentsMatchTheCommandLine(b, port: port, jobID: jobID)
            try await Self.metricsMatchTheJobs(b, port: port, jobID: jobID)
            try await Self.reinitNeedsTheToken(b, port: port)
        }
    }

    @Test func statusShowsTheCopiedAndTotalSizeOfARunningBasebackup() async throws {
        let world = try SidecarWorld(scope: "http-progress")
        defer { world.tearDown() }
        _ = try await ImagingEndToEndTests.primary(world, "a")
        let b = try world.node("b")
        // pg_basebackup's slowest rate (32 kB/s) keeps the copy running while the test looks at it.
        try b.configure(postgresql: "  basebackup:\n    max-rate: 32k")
        try await HTTPDaemon.with(b) { _ in
            let running = try await HTTPProbe.waitFor(port: b.httpPort, "/status", .seconds(60), "basebackup progress") { response in
                let attempt = (try response.json()["current_job"] as? [String: Any])?["attempt"] as? [String: Any]
                return ((attempt?["progress"] as? [String: Any])?["copied_bytes"] as? Int ?? 0) > 0
            }
            let attempt = try #require((try running.json()["current_job"] as? [String: Any])?["attempt"] as? [String: Any])
            #expect(attempt["method"] as? String == "basebackup")
            let progress = try #require(attempt["progress"] as? [String: Any])
            let copied = try #require(progress["copied_bytes"] as? Int)
            let total = try #require(progress["total_bytes"] as? Int)
            #expect(total > 10_000_000, "a fresh PostgreSQL 15 cluster is over 10 MB")
            #expect(copied < total)
            #expect((progress["percent"] as? Int ?? 100) < 100)
            #expect((attempt["last_line"] as? String)?.contains(" kB (") == true)
            try await SidecarNode.waitUntil(.seconds(30), "jobs list shows the copy") {
                try await b.sidecar(["jobs", "list"]).stdout.contains("running basebackup for")
            }
        }
    }

    /// Opens `clients` connections, sends `GET /status` on each, then reads every answer; returns each answer's job id.
    static func concurrentStatus(port: Int, clients: Int) async throws -> [Int] {
        try await EtcdHarness.offPool { try concurrentStatusBlocking(port: port, clients: clients) }
    }

    private static func concurrentStatusBlocking(port: Int, clients: Int) throws -> [Int] {
        let connections = try (0..<clients).map { _ in try HTTPProbe.Connection(port: port) }
        for connection in connections { try connection.send(HTTPProbe.requestText("GET", "/status")) }
        return try connections.map { connection in
            let response = try connection.readResponse()
            guard response.status == 200 else { throw TestSupportError("status \(response.status): \(response.body)") }
            return (try response.json()["current_job"] as? [String: Any])?["id"] as? Int ?? -1
        }
    }

    /// `/jobs` and `/jobs/{id}` are the documents of `sidecar jobs list --json` and `jobs show --json`.
    static func documentsMatchTheCommandLine(_ node: SidecarNode, port: Int, jobID: Int) async throws {
        let list = try await HTTPProbe.request(port: port, "/jobs")
        let cliList = try await node.sidecar(["jobs", "list", "--json"])
        #expect(list.status == 200)
        #expect(NSDictionary(dictionary: try list.json()) == NSDictionary(dictionary: try Self.object(cliList.stdout)))

        let detail = try await HTTPProbe.request(port: port, "/jobs/\(jobID)")
        let cliDetail = try await node.sidecar(["jobs", "show", "\(jobID)", "--json"])
        #expect(NSDictionary(dictionary: try detail.json()) == NSDictionary(dictionary: try Self.object(cliDetail.stdout)))

        let filtered = try await HTTPProbe.request(port: port, "/jobs?state=succeeded&kind=image&limit=1").json()
        let cliFiltered = try await node.sidecar(["jobs", "list", "--json", "--state", "succeeded", "--kind", "image", "--limit", "1"])
        #expect(NSDictionary(dictionary: filtered) == NSDictionary(dictionary: try Self.object(cliFiltered.stdout)))
        #expect((filtered["jobs"] as? [Any])?.count == 1)
    }

    /// `/metrics` parsed by prometheus_client's parser; its counters agree with the job's attempts.
    static func metricsMatchTheJobs(_ node: SidecarNode, port: Int, jobID: Int) async throws {
        let response = try await HTTPProbe.request(port: port, "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        let samples = try await PrometheusText.parse(response.body)
        let attempts = try node.history().detail(jobID: Int64(jobID)).attempts
        #expect(attempts.map(\.method) == ["gated", "basebackup"])
        #expect(String(decoding: attempts[1].stderrTail, as: UTF8.self).contains("kB (100%)"), "basebackup ran with --progress")

        #expect(samples[#"sidecar_jobs{kind="image",state="succeeded"}"#] == 1)
        #expect(samples[#"sidecar_jobs{kind="replica",state="queued"}"#] == 0)
        #expect(samples[#"sidecar_attempts_total{method="gated",outcome="failed"}"#] == 1)
        #expect(samples[#"sidecar_attempts_total{method="basebackup",outcome="succeeded"}"#] == 1)
        #expect(samples[#"sidecar_attempt_duration_seconds_count{method="gated"}"#] == 1)
        #expect(samples[#"sidecar_attempt_duration_seconds_bucket{le="+Inf",method="basebackup"}"#] == 1)
        let gatedSeconds = attempts[0].finishedAt!.timeIntervalSince(attempts[0].startedAt)
        #expect(abs((samples[#"sidecar_attempt_duration_seconds_sum{method="gated"}"#] ?? -1) - gatedSeconds) < 0.01)
        #expect(samples["sidecar_chain_passes_total"] == 1)
        #expect(samples[#"sidecar_dcs_up{backend="local"}"#] == 1)
        #expect(samples["sidecar_ready"] == 1)
        let finished = try #require(try node.history().job(id: Int64(jobID)).finishedAt)
        #expect(abs((samples["sidecar_last_success_timestamp_seconds"] ?? 0) - finished.timeIntervalSince1970) < 0.01)
        let rss = samples["process_resident_memory_bytes"] ?? 0
        #expect(rss > 1_000_000 && rss < 200_000_000, "rss \(rss)")
    }

    /// `POST /reinit`: 401 without or with a wrong token, 400 for a bad body, 202 with a queued `replica` job, 409 then.
    static func reinitNeedsTheToken(_ node: SidecarNode, port: Int) async throws {
        let body = #"{"from_leader": true}"#
        #expect(try await HTTPProbe.request(port: port, "/reinit", method: "POST", body: body).status == 401)
        let wrong = ["Authorization": "Bearer \(token)x"]
        #expect(try await HTTPProbe.request(port: port, "/reinit", method: "POST", headers: wrong, body: body).status == 401)
        let auth = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        for bad in ["{", "[]", #"{"from_leader": "yes"}"#, #"{"force": 1}"#, #"{"wipe": true}"#] {
            let response = try await HTTPProbe.request(port: port, "/reinit", method: "POST", headers: auth, body: bad)
            #expect(response.status == 400, "\(bad): \(response.body)")
        }
        // `force`: node a runs no daemon, so its leader key may expire on a loaded machine and leave no clone source
        // (that refusal is HTTPRulesTests'); the job then waits for a source.
        let forced = #"{"from_leader": true, "force": true}"#
        let accepted = try await HTTPProbe.request(port: port, "/reinit", method: "POST", headers: auth, body: forced)
        #expect(accepted.status == 202, "\(accepted.body)")
        let job = try #require(try accepted.json()["job"] as? [String: Any])
        #expect(job["kind"] as? String == "replica")
        #expect(job["source"] as? String == "http")
        #expect((job["options"] as? [String: Any])?["from_leader"] as? Bool == true)
        let again = try await HTTPProbe.request(port: port, "/reinit", method: "POST", headers: auth, body: forced)
        #expect(again.status == 409, "\(again.body)")
        let stored = try node.history().job(id: Int64(job["id"] as? Int ?? 0))
        #expect(stored.source == .http && stored.kind == .replica && stored.options.fromLeader && stored.options.force)
    }

    static func object(_ text: String) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestSupportError("not a JSON object: \(text)")
        }
        return object
    }
}
