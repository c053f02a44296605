import Foundation
import JobStore
import SQLite

/// `sidecar-bench queue [--cycles N] [--jobs N] [--dir D]`: full job cycles per second at `synchronous=FULL`
/// beside this disk's fdatasync rate measured in the same run, then the wall time of
/// `sidecar jobs list --limit 50` on a database of 100,000 finished jobs and 300,000 attempts.
/// `queue worker ...` runs the test workers (`QueueWorker`).
enum QueueBenchmark {
    static func main(_ arguments: [String]) -> Int32 {
        if arguments.first == "worker" { return QueueWorker.main(Array(arguments.dropFirst())) }
        var cycles = 10_000
        var jobs = 100_000
        var directory = NSTemporaryDirectory()
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : ""
            switch arguments[index] {
            case "--cycles": cycles = Int(value) ?? cycles
            case "--jobs": jobs = Int(value) ?? jobs
            case "--dir": directory = value
            default:
                FileHandle.standardError.write(Data("usage: sidecar-bench queue [--cycles N] [--jobs N] [--dir D]\n".utf8))
                return 64
            }
            index += 2
        }
        let scratch = directory + "/sidecar-queue-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            try runCycles(cycles, in: scratch)
            try runListing(jobs: jobs, in: scratch)
            return 0
        } catch {
            FileHandle.standardError.write(Data("queue benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    /// How a cycle is written.
    enum Mode: CaseIterable {
        /// One API call per step: enqueue, claim, open, close, finish (5 synced commits).
        case separate
        /// The one-commit paths: enqueue, claim opening the attempt, close finishing the job (3 synced commits).
        case combined
        /// What the daemon writes for a one-method job: enqueue, claim, its decision event, open, the hook's pid
        /// (not synced), close, finish (6 synced commits and 1 unsynced).
        case daemon

        var syncedCommits: Double {
            switch self {
            case .separate: 5
            case .combined: 3
            case .daemon: 6
            }
        }

        var title: String {
            switch self {
            case .separate: "one call per step: 5 commits per cycle"
            case .combined: "combined calls (claim opening the attempt, close finishing the job): 3 commits per cycle"
            case .daemon: "as the daemon writes a one-method job (decision event, pid record unsynced): 6 synced commits + 1 unsynced"
            }
        }
    }

    /// Enqueue → claim → open attempt → close with a 2 KiB tail → finish, `count` times, in chunks interleaved with
    /// fdatasync measurements on the same filesystem (so both see the same load), in each `Mode`.
    static func runCycles(_ count: Int, in scratch: String) throws {
        say("queue: \(count) full job cycles (enqueue, claim, open attempt, close with a 2 KiB stdout tail, finish), synchronous=FULL")
        try runCeiling(in: scratch)
        for mode in Mode.allCases {
            let database = try JobDatabase(stateDirectory: scratch + "/\(mode)")
            let queue = JobQueue(database: database)
            let history = AuditHistory(database: database)
            let tail = [UInt8](repeating: UInt8(ascii: "x"), count: 2048)
            let start = AttemptStart(position: 0, method: "basebackup", command: "/usr/bin/pg_basebackup", argv: ["pg_basebackup", "-D", "/x"])
            let end = AttemptEnd(outcome: .succeeded, exitCode: 0, stdoutTail: tail, stderrTail: [], outputBytes: 2048)
            let probe = try FsyncProbe(path: scratch + "/fsync-probe")
            let clock = ContinuousClock()
            var cycleTime = Duration.zero
            var cpuSeconds = 0.0
            var done = 0
            while done < count {
                let chunk = min(250, count - done)
                let started = clock.now
                let cpuStarted = Self.cpuTime()
                for index in done..<(done + chunk) {
                    try cycle(mode, index, queue, history, start, end)
                }
                cycleTime += clock.now - started
                cpuSeconds += Self.cpuTime() - cpuStarted
                done += chunk
                try probe.measure(for: .milliseconds(250))
            }
            let commits = mode.syncedCommits
            let cycleRate = Double(count) / cycleTime.inSeconds
            let syncRate = probe.rate
            say("  \(mode.title)")
            say(
                String(
                    format: "    %.0f cycles/s (%.2f ms per cycle, of which %.2f ms CPU in this process; %.0f synced commits/s)", cycleRate,
                    1000 / cycleRate,
                    1000 * cpuSeconds / Double(count), cycleRate * commits))
            say(String(format: "    fdatasync rate measured between the chunks: %.0f/s → limit ÷ 3 = %.0f cycles/s", syncRate, syncRate / 3))
            say(
                String(
                    format: "    cycles at %.0f%% of the ÷3 limit; synced commits at %.0f%% of the fdatasync rate", 100 * cycleRate / (syncRate / 3),
                    100 * cycleRate * commits / syncRate))
        }
    }

    /// The cheapest SQLite commit beside the fdatasync rate, interleaved the same way: what any synced commit of
    /// the job store costs at least, so what a cycle of three of them can reach at most.
    static func runCeiling(in scratch: String) throws {
        let probe = try FsyncProbe(path: scratch + "/fsync-probe-ceiling")
        let bare = try BareCommitProbe(path: scratch + "/bare-commit.sqlite")
        for _ in 0..<8 {
            try bare.measure(for: .milliseconds(250))
            try probe.measure(for: .milliseconds(250))
        }
        let share = bare.rate / probe.rate
        say("  ceiling: the cheapest SQLite commit (one 100-byte row, no index, same settings)")
        say(
            String(
                format: "    %.0f commits/s (%.3f ms) beside %.0f fdatasync/s: one commit costs %.2f fdatasyncs,", bare.rate,
                bare.secondsPerCommit * 1000, probe.rate, 1 / share))
        say(String(format: "    so a cycle of 3 synced commits reaches at most %.0f%% of the ÷3 limit (%.0f cycles/s)", 100 * share, bare.rate / 3))
    }

    /// One job's writes in `mode`.
    private static func cycle(
        _ mode: Mode, _ index: Int, _ queue: JobQueue, _ history: AuditHistory, _ start: AttemptStart, _ end: AttemptEnd
    ) throws {
        let job = try queue.enqueue(JobRequest(kind: .replica, source: .auto, scope: "bench", dataDirectory: "/data/\(index)")).job
        switch mode {
        case .combined:
            guard let claim = try queue.claim(dataDirectory: job.dataDirectory, opening: start), let attempt = claim.attemptID else {
                throw BenchFailure("job \(job.id) was not claimable")
            }
            try history.closeAttempt(attempt, claim.lease, end, then: .finish)
        case .separate, .daemon:
            guard let claim = try queue.claim(dataDirectory: job.dataDirectory) else {
                throw BenchFailure("job \(job.id) was not claimable")
            }
            if mode == .daemon {
                try history.appendEvent(jobID: job.id, "trying to bootstrap from leader 'pg1'")
            }
            let attempt = try history.openAttempt(claim.lease, start)
            if mode == .daemon {
                try history.attemptStarted(attempt, claim.lease, process: AttemptProcess(pid: 4242, processGroup: 4242, startTime: 1))
            }
            try history.closeAttempt(attempt, claim.lease, end)
            try queue.finish(claim.lease)
        }
    }

    /// Builds `jobs` finished jobs with three attempts each, then times `sidecar jobs list --limit 50`.
    static func runListing(jobs: Int, in scratch: String) throws {
        let state = scratch + "/listing"
        let database = try JobDatabase(stateDirectory: state)
        let build = ContinuousClock().measure {
            try? HistoryFiller.fill(database.connection, jobs: jobs, attemptsPerJob: 3)
        }
        let counts = try database.connection.read { tx in
            (try tx.queryFirst("SELECT count(*) FROM jobs")?[0] as Int? ?? 0, try tx.queryFirst("SELECT count(*) FROM attempts")?[0] as Int? ?? 0)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
        say(String(format: "listing: %d jobs, %d attempts (%.0f MB, built in %.1f s)", counts.0, counts.1, Double(size) / 1e6, build.inSeconds))

        let inProcess = try (0..<20).map { _ in
            try ContinuousClock().measure { _ = try AuditHistory(database: database).jobs(JobFilter(limit: 50)) }.inSeconds
        }.sorted()
        say(String(format: "  AuditHistory.jobs(limit: 50) in process: median %.2f ms", inProcess[inProcess.count / 2] * 1000))

        let sidecar = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path + "/sidecar"
        guard FileManager.default.isExecutableFile(atPath: sidecar) else {
            say("  \(sidecar) not built: skipped the command timing (build the sidecar product too)")
            return
        }
        var walls: [Double] = []
        for _ in 0..<7 {
            // posix_spawn + waitpid: Foundation's Process.waitUntilExit polls every 50 ms and would hide the figure.
            let clock = ContinuousClock()
            let started = clock.now
            let status = try runQuietly([sidecar, "jobs", "list", "--limit", "50", "--state-dir", state])
            walls.append((clock.now - started).inSeconds)
            guard status == 0 else { throw BenchFailure("sidecar jobs list exited \(status)") }
        }
        walls.sort()
        say(
            String(
                format: "  sidecar jobs list --limit 50 (whole process): median %.1f ms, min %.1f ms, max %.1f ms", walls[walls.count / 2] * 1000,
                walls[0] * 1000, walls[walls.count - 1] * 1000))
    }

    /// Runs `argv` with stdout and stderr on /dev/null and returns its exit status.
    static func runQuietly(_ argv: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard result == 0 else { throw BenchFailure("cannot start \(argv[0]): errno \(result)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// User + system CPU seconds this process has used.
    static func cpuTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
