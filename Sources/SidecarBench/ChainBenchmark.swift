import Foundation
import JobStore

/// `sidecar-bench chain`: the per-method cost of a replica chain through the real `sidecar` binary — 200 hooks that exit 1
/// at once, then one that exits 0, each recorded as an attempt in SQLite at `synchronous=FULL` — beside a C
/// `posix_spawn` loop spawning the same script 200 times in the same run. Per method = (T(201 methods) − T(1)) / 200,
/// so the fixed cost of starting sidecar and of the start attempt after the chain cancels out. It also reports the
/// time inside the chain, from the first attempt's start to the last one's end as recorded in the job database,
/// divided by the 201 methods: the whole-process figure also carries the parsing of a configuration that is 200
/// methods longer.
enum ChainBenchmark {
    static let methods = 200
    static let rounds = 3

    static func run() -> Int32 {
        let sidecar = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sidecar").path
        var template = Array("/tmp/sidecar-bench-chain-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return 1 }
        let root = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: root) }
        do {
            chmod(root, 0o755)
            let hooks = root + "/hooks.d"
            try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
            chmod(hooks, 0o755)
            let fail = try HooksBenchmark.writeScript(hooks + "/fail", "exit 1")
            _ = try HooksBenchmark.writeScript(hooks + "/pass", "exit 0")
            let spawner = try HooksBenchmark.compileSpawner(in: root)
            print("machine: \(HooksBenchmark.machine())")
            var bare: [Double] = []
            var piped: [Double] = []
            let commits = try BareCommitProbe(path: root + "/bare-commit.sqlite")
            var perMethod: [Double] = []
            var inChain: [Double] = []
            for round in 0..<rounds {
                bare.append(try HooksBenchmark.cSpawn(spawner: spawner, script: fail, piped: false) / Double(HooksBenchmark.spawns))
                piped.append(try HooksBenchmark.cSpawn(spawner: spawner, script: fail, piped: true) / Double(HooksBenchmark.spawns))
                try commits.measure(for: .milliseconds(300))
                let long = try chainRun(sidecar: sidecar, root: root, name: "long\(round)", failing: methods)
                let short = try chainRun(sidecar: sidecar, root: root, name: "short\(round)", failing: 0)
                perMethod.append((long - short) / Double(methods))
                inChain.append(try chainSpan(root: root, name: "long\(round)") / Double(methods + 1))
            }
            let bareMedian = bare.sorted()[rounds / 2]
            let pipedMedian = piped.sorted()[rounds / 2]
            let floor = pipedMedian + commits.secondsPerCommit
            let methodMedian = perMethod.sorted()[rounds / 2]
            let chainMedian = inChain.sorted()[rounds / 2]
            print("\n\(methods) failing methods + 1 succeeding, \(rounds) rounds (median)")
            print(String(format: "  C posix_spawn + waitpid of the same script : %.3f ms/spawn", bareMedian * 1e3))
            print(String(format: "  sidecar, per method (hook + attempt row)   : %.3f ms/method", methodMedian * 1e3))
            print(String(format: "  ratio                                      : %.2fx (target <= 1.5x)", methodMedian / bareMedian))
            print(String(format: "  inside the chain (attempt rows), per method: %.3f ms/method, %.2fx", chainMedian * 1e3, chainMedian / bareMedian))
            print("  what any runner that records each method durably pays, measured in the same run:")
            print(String(format: "    C posix_spawn, own group, /dev/null, 2 pipes: %.3f ms/spawn", pipedMedian * 1e3))
            print(String(format: "    the cheapest synced SQLite commit           : %.3f ms", commits.secondsPerCommit * 1e3))
            print(String(format: "    floor (their sum)                           : %.3f ms/method, %.2fx", floor * 1e3, floor / bareMedian))
            return 0
        } catch {
            FileHandle.standardError.write(Data("sidecar-bench chain: \(error)\n".utf8))
            return 1
        }
    }

    /// Wall time of `sidecar run --once` on a chain of `failing` failing methods then one passing, as `postgres` when root.
    static func chainRun(sidecar: String, root: String, name: String, failing: Int) throws -> Double {
        let names = (0..<failing).map { "m\($0)" } + ["last"]
        var yaml = """
            scope: \(name)
            name: \(name)
            postgresql:
              data_dir: \(root)/\(name)/data
              create_replica_methods: [\(names.joined(separator: ", "))]

            """
        for method in names {
            yaml += "  \(method): {command: \(method == "last" ? "pass" : "fail"), no_leader: true, keep_data: true}\n"
        }
        yaml += "sidecar:\n  state_dir: \(root)/\(name)/state\n  hooks_dir: \(root)/hooks.d\n"
        let config = "\(root)/\(name).yml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let asRoot = geteuid() == 0
        if asRoot { _ = try launch(["/bin/chown", "-R", "postgres:postgres", root]) }
        let start = Date()
        let status = try launch((asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [sidecar, "run", "--once", "--config", config])
        let seconds = Date().timeIntervalSince(start)
        guard status == 0 else { throw BenchError("sidecar run --once exited \(status) for \(name)") }
        return seconds
    }

    /// Seconds from the first attempt's start to the last attempt's end of run `name`, from its job database.
    static func chainSpan(root: String, name: String) throws -> Double {
        let database = try JobDatabase(stateDirectory: "\(root)/\(name)/state", create: false)
        let attempts = try AuditHistory(database: database).attempts(jobID: 1)
        guard let first = attempts.first?.startedAt, let last = attempts.last?.finishedAt else {
            throw BenchError("no attempts recorded for \(name)")
        }
        return last.timeIntervalSince(first)
    }

    /// Runs `argv` with a fixed environment, stdin/stdout/stderr on /dev/null, and returns its exit status. Spawned
    /// with `posix_spawn` and reaped with `waitpid`: Foundation's `Process.waitUntilExit` polls every 50 ms, which
    /// would add up to 0.25 ms to each method of a 200-method difference.
    static func launch(_ argv: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let environment = ["PATH=/usr/local/bin:/usr/bin:/bin", "SIDECAR_LOG_LEVEL=warning"]
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup($0) } + [nil]
        defer {
            cArguments.forEach { free($0) }
            cEnvironment.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, nil, cArguments, cEnvironment)
        guard result == 0 else { throw BenchError("cannot start \(argv[0]): errno \(result)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
