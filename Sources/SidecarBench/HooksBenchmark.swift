import Foundation
import Hooks
import Synchronization

/// `sidecar-bench hooks`: the runner's per-run cost beside a bare C posix_spawn loop, and its throughput and memory
/// draining a hook that writes 1 GiB.
enum HooksBenchmark {
    static let spawns = 200
    static let rounds = 5
    static let drainBytes = 1 << 30

    static func run() async -> Int32 {
        let directory = NSTemporaryDirectory() + "sidecar-bench-hooks-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let script = try writeScript(directory + "/exit1", "exit 1")
            let spawner = try compileSpawner(in: directory)
            print("machine: \(machine())")

            print("\n(a) \(spawns) spawns of a /bin/sh script that exits 1, \(rounds) rounds (median per run)")
            var bare: [Double] = []
            var piped: [Double] = []
            var runner: [Double] = []
            for _ in 0..<rounds {
                bare.append(try cSpawn(spawner: spawner, script: script, piped: false) / Double(spawns))
                piped.append(try cSpawn(spawner: spawner, script: script, piped: true) / Double(spawns))
                runner.append(await runnerSpawn(script: script, directory: directory) / Double(spawns))
            }
            let bareMedian = median(bare)
            let pipedMedian = median(piped)
            let runnerMedian = median(runner)
            print(String(format: "  C posix_spawn + waitpid             : %.3f ms/run  (rounds: %@)", bareMedian * 1e3, list(bare)))
            print(String(format: "  C, + own group, /dev/null, 2 pipes  : %.3f ms/run  (rounds: %@)", pipedMedian * 1e3, list(piped)))
            print(String(format: "  HookRunner.run                      : %.3f ms/run  (rounds: %@)", runnerMedian * 1e3, list(runner)))
            print(String(format: "  ratio to the bare spawn             : %.2fx (target <= 1.5x)", runnerMedian / bareMedian))
            print(String(format: "  ratio to the piped C loop           : %.2fx", runnerMedian / pipedMedian))

            print("\n(b) draining a hook that writes 1 GiB to stdout")
            let zeros = try writeScript(directory + "/zeros", "head -c \(drainBytes) /dev/zero")
            let lines = try writeScript(directory + "/lines", "yes \"$(printf '%063d' 0)\" | head -c \(drainBytes)")
            let cases: [(String, String, Bool)] = [
                ("NUL bytes, no newline, tails only    ", zeros, false),
                ("NUL bytes, no newline, line sink     ", zeros, true),
                ("64-byte lines (16 Mi), line sink     ", lines, true),
            ]
            for (label, script, withSink) in cases {
                let figures = await drainOnce(script: script, directory: directory, withSink: withSink)
                print(
                    String(
                        format: "  %@: %5.0f MB/s (%.2f s), RSS growth %.1f MB (target >= 500 MB/s, < 16 MB)",
                        label, Double(drainBytes) / figures.seconds / 1e6, figures.seconds, Double(figures.rssGrowth) / 1e6))
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("sidecar-bench hooks: \(error)\n".utf8))
            return 1
        }
    }

    private static func runnerSpawn(script: String, directory: String) async -> Double {
        let runner = HookRunner()
        let invocation = HookInvocation(executable: script, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: directory)
        let start = ContinuousClock.now
        for _ in 0..<spawns {
            let result = await runner.run(invocation)
            precondition(result.outcome == .failed(exitCode: 1), "unexpected outcome \(result.outcome)")
        }
        return (ContinuousClock.now - start).seconds
    }

    static func cSpawn(spawner: String, script: String, piped: Bool) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: spawner)
        process.arguments = [script, String(spawns), piped ? "1" : "0"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let nanoseconds = Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError("the C spawner failed (status \(process.terminationStatus))") }
        return nanoseconds / 1e9
    }

    private static func drainOnce(script: String, directory: String, withSink: Bool) async -> (seconds: Double, rssGrowth: Int) {
        // Reset the peak RSS so VmHWM afterwards is this run's peak.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let before = memory("VmRSS")
        let invocation = HookInvocation(executable: script, environment: ["PATH": "/usr/bin:/bin"], workingDirectory: directory)
        let sink = withSink ? CountingSink() : nil
        let start = ContinuousClock.now
        let result = await HookRunner().run(invocation, sink: sink)
        let seconds = (ContinuousClock.now - start).seconds
        precondition(result.outcome == .succeeded && result.outputBytes == Int64(drainBytes), "drain failed: \(result.outcome)")
        return (seconds, memory("VmHWM") - before)
    }

    static func writeScript(_ path: String, _ body: String) throws -> String {
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        guard chmod(path, 0o755) == 0 else { throw BenchError("chmod \(path) failed") }
        return path
    }

    /// Compiles the C spawn loop (`spawn <script> <count> <piped>`), which prints the elapsed nanoseconds.
    static func compileSpawner(in directory: String) throws -> String {
        // Mode 0: bare posix_spawn + waitpid. Mode 1: what a runner needs at least — own group, stdin /dev/null,
        // stdout and stderr pipes read to EOF with poll(2).
        let source = """
            #define _GNU_SOURCE
            #include <fcntl.h>
            #include <poll.h>
            #include <spawn.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/wait.h>
            #include <time.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                int count = atoi(argv[2]), piped = atoi(argv[3]);
                char *args[] = {argv[1], NULL};
                char *env[] = {"PATH=/usr/bin:/bin", NULL};
                char buffer[65536];
                struct timespec a, b;
                clock_gettime(CLOCK_MONOTONIC, &a);
                for (int i = 0; i < count; i++) {
                    pid_t pid;
                    int status, out[2], err[2];
                    posix_spawn_file_actions_t actions;
                    posix_spawnattr_t attr;
                    posix_spawn_file_actions_init(&actions);
                    posix_spawnattr_init(&attr);
                    if (piped) {
                        if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) return 4;
                        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
                        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
                        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
                        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
                        posix_spawnattr_setpgroup(&attr, 0);
                    }
                    if (posix_spawn(&pid, argv[1], &actions, &attr, args, env) != 0) return 2;
                    posix_spawn_file_actions_destroy(&actions);
                    posix_spawnattr_destroy(&attr);
                    if (piped) {
                        close(out[1]);
                        close(err[1]);
                        struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
                        int open = 2;
                        while (open > 0 && poll(fds, 2, -1) > 0) {
                            for (int k = 0; k < 2; k++) {
                                if (fds[k].fd >= 0 && fds[k].revents && read(fds[k].fd, buffer, sizeof buffer) <= 0) {
                                    close(fds[k].fd);
                                    fds[k].fd = -1;
                                    open--;
                                }
                            }
                        }
                    }
                    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 1) return 3;
                }
                clock_gettime(CLOCK_MONOTONIC, &b);
                printf("%lld\\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
                return 0;
            }
            """
        let sourcePath = directory + "/spawn.c"
        let binary = directory + "/spawn"
        try Data(source.utf8).write(to: URL(fileURLWithPath: sourcePath))
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        cc.arguments = ["-O2", "-o", binary, sourcePath]
        try cc.run()
        cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { throw BenchError("cc failed to compile the spawn loop") }
        return binary
    }

    private static func memory(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        }
        return 0
    }

    static func machine() -> String {
        let cpu =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { $0.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
            ?? "unknown CPU"
        let os =
            (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("PRETTY_NAME=") }.map {
                $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            ?? "unknown OS"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu), \(os)"
    }

    private static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    private static func list(_ values: [Double]) -> String { values.map { String(format: "%.3f", $0 * 1e3) }.joined(separator: ", ") }
}

/// A sink that only counts, so that the figure is the runner's cost of splitting lines.
private final class CountingSink: HookOutputSink {
    private let count = Mutex(0)
    func receive(_ line: HookOutputLine) { count.withLock { $0 += line.bytes.count } }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
