import Foundation
import JobStore

/// Worker modes of `sidecar-bench queue worker ...`, run as separate processes by JobStore's multi-process tests.
///
/// - `claim DB [GO_FILE]`: print `ready`, wait (up to a minute) until GO_FILE exists so that every worker starts
///   at once, then claim, pause 0.5 ms (the hook), and finish jobs until none is left, printing each claimed id.
/// - `enqueue DB DATADIR...`: enqueue an image job per data dir; print `created ID` or `existing ID` per line.
/// - `hold DB`: claim one job, open an attempt, start `/bin/sleep 600` in its own process group as the "hook",
///   record it, print `holding JOB ATTEMPT HOOKPID`, and wait to be killed.
enum QueueWorker {
    static func main(_ arguments: [String]) -> Int32 {
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: sidecar-bench queue worker <claim|enqueue|hold> DB [DATADIR...]\n".utf8))
            return 64
        }
        do {
            let database = try JobDatabase(path: arguments[1])
            let queue = JobQueue(database: database)
            switch arguments[0] {
            case "claim":
                say("ready")
                if arguments.count > 2 {
                    let deadline = ContinuousClock.now + .seconds(60)
                    while !FileManager.default.fileExists(atPath: arguments[2]), ContinuousClock.now < deadline {
                        usleep(1000)
                    }
                }
                while let claim = try queue.claim() {
                    usleep(500)  // the "hook": outside any transaction, so the other workers get the lock
                    try queue.finish(claim.lease)
                    say("\(claim.job.id)")
                }
            case "enqueue":
                for dataDirectory in arguments.dropFirst(2) {
                    switch try queue.enqueue(JobRequest(kind: .image, source: .auto, scope: "bench", dataDirectory: dataDirectory)) {
                    case .created(let job): say("created \(job.id)")
                    case .existing(let job): say("existing \(job.id)")
                    }
                }
            case "hold":
                return try hold(queue, AuditHistory(database: database))
            default:
                FileHandle.standardError.write(Data("unknown worker mode \(arguments[0])\n".utf8))
                return 64
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("worker: \(error)\n".utf8))
            return 1
        }
    }

    private static func hold(_ queue: JobQueue, _ history: AuditHistory) throws -> Int32 {
        guard let claim = try queue.claim() else {
            FileHandle.standardError.write(Data("nothing to claim\n".utf8))
            return 1
        }
        let attempt = try history.openAttempt(
            claim.lease, AttemptStart(position: 0, method: "sleeper", command: "/bin/sleep", argv: ["/bin/sleep", "600"]))
        let hook = try spawnInOwnGroup(["/bin/sleep", "600"])
        try history.attemptStarted(
            attempt, claim.lease, process: AttemptProcess(pid: hook, processGroup: hook, startTime: ProcessIdentity.startTime(of: hook) ?? 0))
        say("holding \(claim.job.id) \(attempt) \(hook)")
        while true { sleep(60) }
    }

    /// Starts `argv` as the leader of a new process group and returns its pid.
    private static func spawnInOwnGroup(_ argv: [String]) throws -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        // Output to /dev/null so the "hook" does not hold the caller's pipes open after this process dies.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nor anything else this process holds (the parent may watch one of them to see this process exit).
        let inherited = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in inherited where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var pid: pid_t = 0
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
