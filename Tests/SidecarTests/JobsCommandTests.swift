import Foundation
import Testing

/// `sidecar jobs ...` run as the built binary on a fixture database.
@Suite struct JobsCommandTests {
    static let jobFields: Set<String> = [
        "id", "kind", "source", "state", "data_dir", "cycle", "not_before", "created_at", "updated_at", "finished_at", "last_error",
    ]
    static let attemptFields: Set<String> = [
        "id", "cycle", "position", "method", "command", "argv", "clone_source", "started_at", "finished_at", "outcome", "exit_code",
        "signal", "stdout_tail", "stderr_tail", "output_bytes", "log_path",
    ]

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func isRFC3339UTC(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z/) != nil
    }

    @Test func listShowsATableNewestFirst() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let result = try await fixture.sidecar("jobs", "list")
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("ID  KIND"))
        #expect(lines.dropFirst().map { $0.split(separator: " ")[0] } == ["4", "3", "2", "1"])
        let two = lines[3].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(Array(two.prefix(6)) == ["2", "replica", "cli", "failed", "1", "100"])
        #expect(lines[3].contains("2026-01-01T00:00:20Z"))
        #expect(lines[3].contains("/data/two"))
        #expect(lines[3].hasSuffix("every method failed"))
        #expect(lines[1].contains("running"))
    }

    @Test func listJSONHasTheDocumentedFields() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let result = try await fixture.sidecar("jobs", "list", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let jobs = try #require(try Self.json(result.stdout)["jobs"] as? [[String: Any]])
        #expect(jobs.map { $0["id"] as? Int } == [4, 3, 2, 1])
        for job in jobs {
            #expect(Self.jobFields.isSubset(of: Set(job.keys)), "missing: \(Self.jobFields.subtracting(job.keys))")
            #expect(Self.isRFC3339UTC(job["created_at"]))
            #expect(Self.isRFC3339UTC(job["updated_at"]))
            #expect(Self.isRFC3339UTC(job["not_before"]))
        }
        let failed = jobs[2]
        #expect(failed["kind"] as? String == "replica")
        #expect(failed["source"] as? String == "cli")
        #expect(failed["state"] as? String == "failed")
        #expect(failed["data_dir"] as? String == "/data/two")
        #expect(failed["cycle"] as? Int == 1)
        #expect(failed["created_at"] as? String == "2026-01-01T00:00:20Z")
        #expect(failed["finished_at"] as? String == "2026-01-01T00:03:20Z")
        #expect(failed["last_error"] as? String == "every method failed")
        #expect((failed["options"] as? [String: Any])?["from_leader"] as? Bool == true)
        #expect(jobs[1]["finished_at"] is NSNull)
        #expect(jobs[1]["last_error"] is NSNull)
    }

    @Test func listFilters() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        func ids(_ arguments: String...) async throws -> [Int] {
            let result = try await JobsFixture.sidecar(["jobs", "list", "--json", "--state-dir", fixture.stateDir] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
            return try (Self.json(result.stdout)["jobs"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        }
        #expect(try await ids("--state", "failed") == [2])
        #expect(try await ids("--kind", "image") == [4, 1])
        #expect(try await ids("--since", "2026-01-01T00:05:00Z") == [4, 3])
        #expect(try await ids("--since", "1h") == [])  // the fixture is older than an hour
        #expect(try await ids("--since", "36500d") == [4, 3, 2, 1])
        #expect(try await ids("--limit", "2") == [4, 3])
        #expect(try await ids("--state", "queued", "--kind", "image") == [])
    }

    @Test func showJSONOfAJobWithAHundredAttempts() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let result = try await fixture.sidecar("jobs", "show", "2", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.json(result.stdout)
        let job = try #require(document["job"] as? [String: Any])
        #expect(job["id"] as? Int == 2)
        #expect(Self.jobFields.isSubset(of: Set(job.keys)))
        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.count == 203)  // queued, claimed, 100 × (opened, closed), failed
        #expect(events.allSatisfy { Set($0.keys) == ["at", "message"] && Self.isRFC3339UTC($0["at"]) })
        #expect(events.last?["message"] as? String == "failed: every method failed")
        let attempts = try #require(document["attempts"] as? [[String: Any]])
        #expect(attempts.count == 100)
        for (index, attempt) in attempts.enumerated() {
            #expect(Self.attemptFields.isSubset(of: Set(attempt.keys)), "missing: \(Self.attemptFields.subtracting(attempt.keys))")
            #expect(attempt["outcome"] as? String == "failed")
            #expect(attempt["exit_code"] as? Int == 1)
            #expect(attempt["signal"] is NSNull)
            #expect(attempt["stderr_tail"] as? String == "attempt \(index + 1) failed\n")
            #expect(attempt["number"] as? Int == index + 1)
        }
        #expect(attempts[0]["started_at"] as? String == "2026-01-01T00:00:22Z")
        #expect(attempts[0]["finished_at"] as? String == "2026-01-01T00:00:22.500Z")
    }

    @Test func showJSONMasksTheStoredArgv() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let result = try await fixture.sidecar("jobs", "show", "1", "--json")
        let attempt = try #require((try Self.json(result.stdout)["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["argv"] as? [String] == ["pg_basebackup", "--pgdata=/data/one", "--dbname=host=10.0.0.1 user=rep password=******"])
        #expect(attempt["clone_source"] as? String == "pg0")
        #expect(attempt["stdout_tail"] as? String == "copied\n")
        #expect(attempt["output_bytes"] as? Int == 24)
        #expect(result.stdout.contains("s3cret") == false)
    }

    @Test func showTableListsEventsAndEveryAttempt() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let result = try await fixture.sidecar("jobs", "show", "2")
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        #expect(text.contains("state       failed"))
        #expect(text.contains("options     from_leader"))
        #expect(text.contains("2026-01-01T00:00:20Z  queued replica job for /data/two (source cli)"))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.split(separator: " ").count >= 9 && $0.contains("failed") }
        #expect(rows.count == 100)
        #expect(text.contains("attempt 100 (basebackup)"))
        #expect(text.contains("    | attempt 100 failed"))
    }

    @Test func logsPrintsTheLogFileOrTheStoredTails() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let full = try await fixture.sidecar("jobs", "logs", "1", "1")
        #expect(full.status == 0)
        #expect(full.stdout == "full line 1\nfull line 2\n")
        let tails = try await fixture.sidecar("jobs", "logs", "2", "7")
        #expect(tails.status == 0)
        #expect(tails.stdout == "attempt 7 failed\n")
        #expect(tails.stderr.contains("no log file was recorded"))
        let all = try await fixture.sidecar("jobs", "logs", "2")
        #expect(all.stdout.components(separatedBy: "== attempt ").count == 101)
        let missing = try await fixture.sidecar("jobs", "logs", "2", "101")
        #expect(missing.status == 64)
    }

    @Test func cancelRetryAndTheirRefusals() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let cancelQueued = try await fixture.sidecar("jobs", "cancel", "3")
        #expect(cancelQueued.status == 0)
        #expect(cancelQueued.stdout == "job 3 cancelled\n")
        let cancelRunning = try await fixture.sidecar("jobs", "cancel", "4")
        #expect(cancelRunning.status == 0)
        #expect(cancelRunning.stdout.contains("cancel requested"))
        let cancelDone = try await fixture.sidecar("jobs", "cancel", "1")
        #expect(cancelDone.status == 1)
        #expect(cancelDone.stderr == "sidecar: job 1 already succeeded; nothing to cancel\n")

        let retry = try await fixture.sidecar("jobs", "retry", "2")
        #expect(retry.status == 0)
        #expect(retry.stdout == "job 2 queued again\n")
        let retryRunning = try await fixture.sidecar("jobs", "retry", "4")
        #expect(retryRunning.status == 1)
        #expect(retryRunning.stderr.split(separator: "\n").count == 1)
        let list = try await fixture.sidecar("jobs", "list", "--state", "queued", "--json")
        #expect((try Self.json(list.stdout)["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [2])
    }

    @Test func pruneDeletesOldFinishedJobsAndTheirLogsOnly() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let result = try await fixture.sidecar("jobs", "prune", "--older-than", "1d")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("pruned 2 finished jobs (101 attempts)"))
        #expect(FileManager.default.fileExists(atPath: fixture.stateDir + "/logs/1") == false)
        let list = try await fixture.sidecar("jobs", "list", "--json")
        #expect((try Self.json(list.stdout)["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [4, 3])
    }

    @Test func errorsAreOneLineWithTheRightStatus() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let unknown = try await fixture.sidecar("jobs", "show", "999")
        #expect(unknown.status == 64)
        #expect(unknown.stderr == "sidecar: no job 999; see 'sidecar jobs list'\n")

        let noState = try await JobsFixture.sidecar(["jobs", "list"])
        #expect(noState.status == 64)
        #expect(noState.stderr == "sidecar: no --config or --state-dir: pass one (or set SIDECAR_CONFIG)\n")

        let badState = try await fixture.sidecar("jobs", "list", "--state", "exploded")
        #expect(badState.status == 64)

        let missing = try await JobsFixture.sidecar(["jobs", "list", "--state-dir", fixture.scratch.file("empty")])
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        #expect(missing.stderr.contains("no job database"))

        let garbage = fixture.scratch.file("garbage")
        try FileManager.default.createDirectory(atPath: garbage, withIntermediateDirectories: true)
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: garbage + "/jobs.sqlite"))
        let unreadable = try await JobsFixture.sidecar(["jobs", "list", "--state-dir", garbage])
        #expect(unreadable.status == 1)
        #expect(unreadable.stderr.split(separator: "\n").count == 1)
        #expect(unreadable.stderr.hasPrefix("sidecar: cannot open the job database"))
    }

    @Test func theStateDirComesFromTheConfigFile() async throws {
        let fixture = try JobsFixture()
        defer { fixture.remove() }
        let config = fixture.scratch.file("sidecar.yml")
        try Data("scope: demo\nname: n1\nsidecar:\n  state_dir: state\n".utf8).write(to: URL(fileURLWithPath: config))
        let result = try await JobsFixture.sidecar(["jobs", "list", "--config", config, "--limit", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 2)
        let defaulted = fixture.scratch.file("other.yml")
        try Data("scope: demo\n".utf8).write(to: URL(fileURLWithPath: defaulted))
        let none = try await JobsFixture.sidecar(["jobs", "list", "--config", defaulted])
        #expect(none.status == 1)
        #expect(none.stderr.contains(fixture.scratch.file(".sidecar/jobs.sqlite")))
    }
}
