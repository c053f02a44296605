import DCS
import Foundation
import Hooks
import JobStore
import Logging
import Postgres
import Synchronization
import TestSupport
import Testing

@testable import Imaging

/// How a replica chain records its methods: each failed method's end goes into the same commit as the next
/// method's open, and nothing is lost or misrecorded on the way.
@Suite struct ChainRecordingTests {
    /// A state dir, hooks and a claimed replica job, with the context a chain runs in.
    struct World {
        let scratch: ScratchDirectory
        let context: ImagingContext
        let claim: JobQueue.Claim

        init(_ name: String, hooks: [String: String], chain: [String]) throws {
            scratch = try ScratchDirectory(name)
            let state = scratch.file("state")
            let hooksDirectory = scratch.file("hooks.d")
            try FileManager.default.createDirectory(atPath: hooksDirectory, withIntermediateDirectories: true)
            for (hook, body) in hooks {
                let path = hooksDirectory + "/" + hook
                try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
                chmod(path, 0o755)
            }
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            let database = try JobDatabase(path: state + "/jobs.sqlite")
            let queue = JobQueue(database: database)
            var configuration = ImagingConfiguration(
                scope: "s", name: "n", stateDirectory: state, hooksDirectory: hooksDirectory,
                postgres: PostgresConfiguration(
                    dataDirectory: scratch.file("data"), binDirectory: "/nonexistent", listen: HostPort(host: "127.0.0.1", port: 1),
                    pgpassPath: state + "/pgpass", superuser: RoleCredentials(username: "postgres"),
                    replication: RoleCredentials(username: "replicator"), stateDirectory: state))
            configuration.chain = chain.map { method in
                HookMethod(
                    name: method, command: method.hasPrefix("missing") ? "no-such-hook" : method,
                    parameters: [HookParameter("no_leader", .bool(true, written: "true")), HookParameter("keep_data", .bool(true, written: "true"))])
            }
            context = ImagingContext(
                configuration: configuration, queue: queue, history: AuditHistory(database: database),
                dcs: MemoryDCS.memory(MemoryDCS.Store(), scope: "s", name: "n"), logger: Logger(label: "test"),
                environment: ["PATH": "/usr/bin:/bin"])
            _ = try queue.enqueue(JobRequest(kind: .replica, source: .cli, scope: "s", dataDirectory: configuration.postgres.dataDirectory))
            claim = try #require(try queue.claim())
        }

        var chain: ReplicaChain {
            ReplicaChain(
                context: context, lease: claim.lease, control: HookControl(),
                instance: LocalInstance(configuration: context.configuration, runner: context.runner, logger: context.logger))
        }
    }

    @Test func everyMethodIsRecordedWithItsOwnEndInOrder() async throws {
        let world = try World("chain-recording", hooks: ["one": "exit 1", "three": "exit 3", "zero": "exit 0"], chain: ["a", "b", "c", "d"])
        defer { world.scratch.remove() }
        // a and b fail differently, c cannot be resolved (not run), d succeeds (the start after it fails: no cluster).
        var context = world.context
        context.configuration.chain[0].command = "one"
        context.configuration.chain[1].command = "three"
        context.configuration.chain[2].command = "missing-hook"
        context.configuration.chain[3].command = "zero"
        var chain = world.chain
        chain.context = context
        let result = try await chain.runPass(source: nil, methods: ["a", "b", "c", "d"])
        guard case .startFailed(let method, _) = result else {
            Issue.record("expected the start after d to fail, got \(result)")
            return
        }
        #expect(method == "d")

        let detail = try world.context.history.detail(jobID: world.claim.job.id)
        #expect(detail.attempts.map(\.method) == ["a", "b", "c", "d"])
        #expect(detail.attempts.map(\.outcome) == [.failed, .failed, .notRun, .succeeded])
        #expect(detail.attempts.map(\.exitCode) == [1, 3, nil, 0])
        #expect(detail.attempts.allSatisfy { $0.finishedAt != nil })
        // The hooks that ran had their process recorded before they were waited for.
        #expect(detail.attempts.map { $0.process != nil } == [true, true, false, true])
        for (earlier, later) in zip(detail.attempts, detail.attempts.dropFirst()) {
            let ended = try #require(earlier.finishedAt)
            #expect(ended <= later.startedAt)
        }
        // The story reads in order: each attempt's end before the next one's start.
        let ids = detail.attempts.map(\.id)
        let story = detail.events.map(\.message).filter { $0.hasPrefix("attempt ") }
        try #require(story.count == 8)
        #expect(
            Array(story[0..<5]) == [
                "attempt \(ids[0]): a (position 0, pass 1)", "attempt \(ids[0]): failed (exit code 1)",
                "attempt \(ids[1]): b (position 1, pass 1)", "attempt \(ids[1]): failed (exit code 3)",
                "attempt \(ids[2]): c (position 2, pass 1)",
            ])
        #expect(Array(story[6...]) == ["attempt \(ids[3]): d (position 3, pass 1)", "attempt \(ids[3]): succeeded"])
        #expect(story[5].hasPrefix("attempt \(ids[2]): not_run"))
    }

    @Test func allFailingChainLeavesNoAttemptOpen() async throws {
        let world = try World("chain-all-failed", hooks: ["one": "exit 1"], chain: ["one", "one2"])
        defer { world.scratch.remove() }
        var context = world.context
        context.configuration.chain[1].command = "one"
        var chain = world.chain
        chain.context = context
        let result = try await chain.runPass(source: nil, methods: ["one", "one2"])
        #expect(result == .allFailed(summary: "one: exit 1; one2: exit 1"))
        let attempts = try world.context.history.attempts(jobID: world.claim.job.id)
        #expect(attempts.map(\.outcome) == [.failed, .failed])
    }

    @Test func anOpenThatFailsStillWritesTheEndBeforeIt() async throws {
        let world = try World("chain-open-fails", hooks: ["one": "exit 1"], chain: ["one"])
        defer { world.scratch.remove() }
        let runner = AttemptRunner(context: world.context, lease: world.claim.lease, control: HookControl())
        func plan(_ method: String) -> AttemptRunner.Plan {
            AttemptRunner.Plan(
                position: 0, method: method, command: "one", argv: [world.context.configuration.hooksDirectory + "/one"],
                workingDirectory: world.context.configuration.hooksDirectory)
        }
        let first = try await runner.run(plan("one"), closing: nil)
        #expect(try world.context.history.attempts(jobID: world.claim.job.id).map(\.outcome) == [nil])
        // An empty method name breaks a CHECK constraint: the combined commit fails, the end of the first is kept.
        await #expect(throws: JobStoreError.self) {
            _ = try await runner.run(plan(""), closing: first.pending)
        }
        let attempts = try world.context.history.attempts(jobID: world.claim.job.id)
        #expect(attempts.map(\.outcome) == [.failed])
        #expect(attempts.map(\.exitCode) == [1])
    }

    @Test func aProcessRecordThatCannotBeWrittenStopsTheHook() async throws {
        let world = try World("chain-record-fails", hooks: ["slow": "sleep 30"], chain: ["slow"])
        defer { world.scratch.remove() }
        let control = HookControl()
        let runner = AttemptRunner(context: world.context, lease: world.claim.lease, control: control)
        let hooks = world.context.configuration.hooksDirectory
        let plan = AttemptRunner.Plan(position: 0, method: "slow", command: "slow", argv: [hooks + "/slow"], workingDirectory: hooks)
        let context = world.context
        let lease = world.claim.lease
        let outcome = Mutex<(HookOutcome, HookProcess?)?>(nil)
        let start = ContinuousClock.now
        // The attempt's close fails too afterwards (the lease is gone): the error the executor gets.
        await #expect(throws: JobStoreError.self) {
            _ = try await runner.run(plan) { launch in
                // The job leaves this worker between the attempt's open and the hook's start (requeued elsewhere): the
                // process record's fenced commit fails, and with it the commit that would make the open durable.
                try? context.queue.requeue(lease, notBefore: Date(), error: "taken away by the test")
                var invocation = HookInvocation(executable: plan.argv[0], environment: launch.environment, workingDirectory: hooks)
                invocation.logPath = launch.logPath
                let result = await context.runner.run(invocation, sink: launch.sink, control: launch.control, onStart: launch.onStart)
                outcome.withLock { $0 = (result.outcome, result.process) }
                return result
            }
        }
        let (ended, started) = try #require(outcome.withLock { $0 })
        #expect(ended == .interrupted)
        #expect(control.isInterrupted)
        #expect(ContinuousClock.now - start < .seconds(10), "the hook ran on after its record failed")
        let process = try #require(started)
        #expect(kill(process.pid, 0) != 0, "the hook is still alive")
    }
}
