import DCS
import Foundation
import JobStore
import TestSupport
import Testing

/// SPEC §7 crash recovery with the real daemon killed by SIGKILL: the attempt is closed as `interrupted`, the hook's
/// whole process group dies (a child that ignores SIGTERM too), the data dir is re-imaged and the job finishes, with
/// every event before the kill kept.
@Suite(.timeLimit(.minutes(5)))
struct CrashRecoveryTests {
    /// A replica method that, on its first run, half-fills the data dir, starts a child that ignores SIGTERM (its pid in
    /// `child`), and sleeps; on later runs it fails at once, so the chain falls back to basebackup.
    static func stubbornHook(_ world: SidecarWorld) throws -> (flag: String, child: String) {
        let flag = world.directory.file("stubborn.ran")
        let child = world.directory.file("stubborn.child")
        try world.hook(
            "stubborn",
            """
            for a in "$@"; do case $a in --datadir=*) d=${a#--datadir=};; esac; done
            if [ -e \(flag) ]; then echo "no backup this time" >&2; exit 1; fi
            : > \(flag)
            mkdir -p "$d" && echo partial > "$d/half-restored"
            sh -c 'trap "" TERM; echo $$ > \(child).tmp; mv \(child).tmp \(child); exec sleep 1000' &
            echo restoring
            sleep 1000
            """)
        return (flag, child)
    }

    static let stubbornChain = """
          create_replica_methods: [stubborn, basebackup]
          stubborn: {command: stubborn}
        """

    @Test func sigkillDuringAReplicaHookIsRecoveredOnRestart() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let a = try await ImagingEndToEndTests.primary(world)
        let hook = try Self.stubbornHook(world)
        let b = try world.node("b")
        try b.configure(postgresql: Self.stubbornChain)

        let first = try b.startDaemon()
        let attempt = try await b.runningAttempt("stubborn")
        try await SidecarNode.waitUntil(.seconds(10), "the hook's child") { Processes.pid(in: hook.child) != nil }
        let child = try requireValue(Processes.pid(in: hook.child))
        let childStart = try requireValue(ProcessIdentity.startTime(of: child))
        let leader = try requireValue(attempt.process)
        first.kill(SIGKILL)
        _ = await first.wait(timeout: .seconds(10))
        // The hook outlived the daemon, as it does after a real crash.
        #expect(Processes.isAlive(leader.pid, startTime: leader.startTime))
        #expect(Processes.isAlive(child, startTime: childStart))
        #expect(FileManager.default.fileExists(atPath: b.dataDirectory + "/half-restored"))
        let before = try b.history().detail(jobID: attempt.jobID).events.map(\.message)

        let second = try b.startDaemon()
        let job = try await b.waitForJob(attempt.jobID, .succeeded)
        #expect(await SidecarNode.stop(second) == 0)

        #expect(!Processes.isAlive(leader.pid, startTime: leader.startTime))
        #expect(!Processes.isAlive(child, startTime: childStart), "the child that ignores SIGTERM must die with the group")
        let detail = try b.history().detail(jobID: job.id)
        let interrupted = try #require(detail.attempts.first)
        #expect(interrupted.method == "stubborn")
        #expect(interrupted.outcome == .interrupted)
        #expect(detail.attempts.map(\.method) == ["stubborn", "stubborn", "basebackup"])
        let events = detail.events.map(\.message)
        #expect(Array(events.prefix(before.count)) == before, "nothing recorded before the kill is lost")
        #expect(events.contains { $0.hasPrefix("crash recovery: the job's owner") && $0.contains("owner_gone") })
        #expect(events.contains { $0.hasPrefix("killed the hook's process group \(leader.processGroup)") })
        #expect(events.contains("the data dir is left half-imaged (interrupted); the next pass re-images it"))
        #expect(events.contains("crash recovery done; the job is queued again"))
        #expect(!FileManager.default.fileExists(atPath: b.dataDirectory + "/half-restored"))
        #expect(try await b.query("SELECT pg_is_in_recovery()") == "t")
        try await SidecarNode.waitUntil(.seconds(30), "b streaming from a") {
            try await a.query("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'b'") == "1"
        }
    }

    @Test func sigkillDuringBasebackupKillsItAndReimages() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        _ = try await ImagingEndToEndTests.primary(world)
        let b = try world.node("b")
        // 32 kB/s: the copy of a fresh cluster takes minutes, so the kill lands in the middle of it.
        try b.configure(postgresql: "  basebackup: {max-rate: 32k}")
        let first = try b.startDaemon()
        let attempt = try await b.runningAttempt("basebackup")
        try await SidecarNode.waitUntil(.seconds(30), "pg_basebackup to write into the data dir") {
            FileManager.default.fileExists(atPath: b.dataDirectory + "/PG_VERSION")
        }
        let copier = try requireValue(attempt.process)
        first.kill(SIGKILL)
        _ = await first.wait(timeout: .seconds(10))
        // pg_basebackup may outlive the daemon, or die of SIGPIPE at its next progress line: either way it must be gone
        // once the restarted daemon has recovered the job.

        try b.configure()
        let second = try b.startDaemon()
        let job = try await b.waitForJob(attempt.jobID, .succeeded)
        #expect(await SidecarNode.stop(second) == 0)
        #expect(!Processes.isAlive(copier.pid, startTime: copier.startTime))
        let detail = try b.history().detail(jobID: job.id)
        #expect(detail.attempts.map(\.outcome) == [.interrupted, .succeeded])
        #expect(detail.events.map(\.message).contains { $0.hasPrefix("killed the hook's process group \(copier.processGroup)") })
        #expect(try await b.query("SELECT pg_is_in_recovery()") == "t")
    }

    @Test func sigkillDuringBootstrapRecoveryReleasesInitializeAndBootstrapsAgain() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let source = try await CustomBootstrapRecoveryTests.makeSource(world)
        // Each WAL segment takes a second to restore, so the recovery wait lasts long enough to be interrupted.
        let node = try CustomBootstrapRecoveryTests.restoringNode(
            world, "boot", source,
            recovery: """
                      recovery_target_action: promote
                """, restoreCommand: "sleep 1; cp \(source.archive)/%f %p")
        let first = try node.startDaemon()
        var jobID: Int64 = 0
        try await SidecarNode.waitUntil(.seconds(60), "the recovery wait") {
            guard let job = try node.jobs().first else { return false }
            jobID = job.id
            return try node.history().detail(jobID: job.id).events.map(\.message).contains("waiting for recovery to end")
        }
        first.kill(SIGKILL)
        _ = await first.wait(timeout: .seconds(10))
        #expect(try await world.dcsView(scope: "boot").initialize == "")
        let postmaster = try requireValue(Processes.pid(in: node.dataDirectory + "/postmaster.pid"))
        #expect(Processes.isAlive(postmaster), "the server in recovery outlives the daemon")

        let second = try node.startDaemon()
        let job = try await node.waitForJob(jobID, .succeeded)
        #expect(await SidecarNode.stop(second) == 0)
        let events = try node.history().detail(jobID: job.id).events.map(\.message)
        #expect(events.contains { $0.hasPrefix("stopped PostgreSQL (pid \(postmaster), -m immediate)") })
        #expect(events.contains("released initialize (set to \"\" by this node's interrupted bootstrap)"))
        #expect(events.contains { $0.hasPrefix("moved the interrupted bootstrap's data dir aside to ") })
        #expect(events.filter { $0 == "acquired initialize lock" }.count == 2)
        #expect(FileManager.default.fileExists(atPath: node.dataDirectory + ".failed/PG_VERSION"))
        #expect(try await node.query("SELECT pg_is_in_recovery()") == "f")
        #expect(try await node.query("SELECT string_agg(v, ',' ORDER BY v) FROM t") == "after,before,late")
        #expect(try await world.dcsView(scope: "boot").initialize == (try await ImagingEndToEndTests.systemIdentifier(node)))
    }

    @Test func aPidReusedByAnotherProcessIsNotSignalled() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let node = try world.node("n")
        try node.configure()
        #expect(try await node.runOnce().succeeded)  // no leader, no bootstrap: an image job waits in the queue
        // An unrelated process of the same user, standing in for one that reused the hook's pid after the crash.
        let bystander = try ChildProcess("/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", "/bin/sleep", "300"])
        defer { bystander.kill(SIGKILL) }
        let start = try requireValue(ProcessIdentity.startTime(of: bystander.pid))
        let jobID = try Self.orphan(node, hook: AttemptProcess(pid: bystander.pid, processGroup: bystander.pid, startTime: start - 7))

        #expect(try await node.runOnce().succeeded)
        #expect(Processes.isAlive(bystander.pid, startTime: start), "the process that reused the pid is not signalled")
        let detail = try node.history().detail(jobID: jobID)
        #expect(detail.attempts.first?.outcome == .interrupted)
        #expect(detail.events.map(\.message).contains { $0.hasPrefix("hook pid \(bystander.pid) now belongs to another process") })
        #expect(!detail.events.map(\.message).contains { $0.hasPrefix("killed the hook's process group") })
    }

    @Test func aHookRecordedBeforeTheLastBootIsNeverSignalled() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let node = try world.node("n")
        try node.configure()
        #expect(try await node.runOnce().succeeded)
        // pid and start time match a live process exactly, as they can after a reboot: the boot id decides.
        let bystander = try ChildProcess(
            "/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", "/bin/sleep", "300"])
        defer { bystander.kill(SIGKILL) }
        let start = try requireValue(ProcessIdentity.startTime(of: bystander.pid))
        let jobID = try Self.orphan(
            node, hook: AttemptProcess(pid: bystander.pid, processGroup: bystander.pid, startTime: start), bootID: "an-earlier-boot")

        #expect(try await node.runOnce().succeeded)
        #expect(Processes.isAlive(bystander.pid, startTime: start))
        let events = try node.history().detail(jobID: jobID).events.map(\.message)
        #expect(events.contains { $0.contains("owner_gone") })
        #expect(events.contains("the hook ran before this host's last boot; nothing of it can still run; not signalled"))
    }

    /// Makes the node's queued job look like one a crashed worker held: claimed by a dead owner, with an open attempt
    /// whose recorded hook is `hook`. Returns the job's id.
    static func orphan(_ node: SidecarNode, hook: AttemptProcess, bootID: String = ProcessIdentity.bootID()) throws -> Int64 {
        do {
            let database = try JobDatabase(path: node.stateDirectory + "/" + JobDatabase.fileName, create: false)
            let dead = JobOwner(host: ProcessIdentity.hostName(), bootID: bootID, pid: Int32.max - 1, startTime: 1)
            let queue = JobQueue(database: database, owner: dead)
            let claim = try requireValue(try queue.claim(now: Date().addingTimeInterval(3_600)), "a queued job")
            let history = AuditHistory(database: database)
            let attempt = try history.openAttempt(claim.lease, AttemptStart(position: 0, method: "basebackup", argv: ["pg_basebackup"]))
            try history.attemptStarted(attempt, claim.lease, process: hook)
            try SidecarWorld.chownTree(node.stateDirectory)
            return claim.job.id
        }
    }

    @Test func aForeignDataDirIsRefusedAndLeftUntouched() async throws {
        let world = try SidecarWorld()
        defer { world.tearDown() }
        let node = try world.node("f")
        try node.configure(bootstrap: ImagingEndToEndTests.pgHBA)
        try FileManager.default.createDirectory(atPath: node.dataDirectory, withIntermediateDirectories: true)
        try "keep me".write(toFile: node.dataDirectory + "/precious.txt", atomically: true, encoding: .utf8)
        try SidecarWorld.chownTree(node.root)
        let before = try FileManager.default.attributesOfItem(atPath: node.dataDirectory + "/precious.txt")[.modificationDate] as? Date

        let run = try await node.runOnce()
        #expect(run.succeeded, "\(run.stderr)")
        #expect(run.stderr.contains("data dir is not empty and not a PostgreSQL cluster; run `sidecar reinit`"), "\(run.stderr)")
        #expect(try node.jobs().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: node.dataDirectory) == ["precious.txt"])
        #expect(try String(contentsOfFile: node.dataDirectory + "/precious.txt", encoding: .utf8) == "keep me")
        let after = try FileManager.default.attributesOfItem(atPath: node.dataDirectory + "/precious.txt")[.modificationDate] as? Date
        #expect(before == after)
        #expect(try await world.dcsView().initialize == nil, "no bootstrap race for a foreign data dir")
    }
}
