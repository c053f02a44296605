import Foundation
import Testing

@testable import Hooks

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct RunnerOutcomeTests {
    let runner = HookRunner()

    @Test(arguments: [true, false]) func exitZeroSucceeds(pidfd: Bool) async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let result = await leaderWatchingRunner(pidfd: pidfd).run(try fixture.hook("echo hello; echo oops >&2; exit 0"))
        #expect(result.outcome == .succeeded)
        #expect(result.stdoutTail == Array("hello\n".utf8))
        #expect(result.stderrTail == Array("oops\n".utf8))
        #expect(result.outputBytes == 11)
        #expect(result.finishedAt >= result.startedAt)
        #expect(result.process != nil)
    }

    @Test(arguments: [true, false]) func exitThreeFails(pidfd: Bool) async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let result = await leaderWatchingRunner(pidfd: pidfd).run(try fixture.hook("echo out; echo err >&2; exit 3"))
        #expect(result.outcome == .failed(exitCode: 3))
        #expect(result.outcome.name == "failed")
        #expect(result.stdoutTail == Array("out\n".utf8))
        #expect(result.stderrTail == Array("err\n".utf8))
    }

    @Test func deathBySignalIsSignalled() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let result = await runner.run(try fixture.hook("kill -USR1 $$; sleep 5"))
        #expect(result.outcome == .signalled(SIGUSR1))
    }

    @Test func hookSeesExactEnvironmentWorkingDirectoryAndDevNullStdin() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let script = """
            echo "job=$SIDECAR_JOB_ID"
            echo "home=${HOME-unset}"
            echo "cwd=$(pwd -P)"
            echo "stdin=$(readlink /proc/self/fd/0)"
            cat; echo "read=$?"
            echo "pgid=$(cut -d' ' -f5 /proc/$$/stat) pid=$$"
            echo "names=$(env | cut -d= -f1 | sort | tr '\\n' ' ')"
            """
        let box = StartBox()
        let result = await runner.run(try fixture.hook(script)) { box.set($0) }
        let process = try #require(box.value)
        let text = String(decoding: result.stdoutTail, as: UTF8.self)
        let realDirectory = URL(fileURLWithPath: fixture.directory).resolvingSymlinksInPath().path
        #expect(result.outcome == .succeeded)
        #expect(text.contains("job=17\n"))
        #expect(text.contains("home=unset\n"))
        #expect(text.contains("cwd=\(realDirectory)\n"))
        #expect(text.contains("stdin=/dev/null\n"))
        #expect(text.contains("read=0\n"))
        #expect(text.contains("pgid=\(process.processGroup) pid=\(process.pid)\n"))
        // Exactly the given variables (dash adds PWD itself), none of the test process's own.
        #expect(!ProcessInfo.processInfo.environment.keys.allSatisfy { ["PATH", "PWD", "SIDECAR_JOB_ID"].contains($0) })
        #expect(text.contains("names=PATH PWD SIDECAR_JOB_ID \n"))
        #expect(process.pid == process.processGroup)
        #expect(process.startTime > 0)
        #expect(result.process == process)
    }

    /// The child sets up what SPEC §6 asks before it calls execve, whatever the spawning thread carries: no signal
    /// blocked (the thread blocks SIGUSR1), none ignored (the process ignores SIGUSR2), and no descriptor but 0-2
    /// (the process holds one without close-on-exec). `ls` and `grep` inherit all three from the hook.
    @Test func hookStartsWithNoSignalBlockedOrIgnoredAndOnlyThreeDescriptors() throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("ls /proc/self/fd | tr '\\n' ' '; echo; grep -E '^Sig(Blk|Ign)' /proc/self/status")
        let leaked = open("/dev/null", O_RDONLY)
        #expect(leaked > 2)
        defer { close(leaked) }
        let previous = signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, previous) }
        var blocked = sigset_t()
        var saved = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR1)
        pthread_sigmask(SIG_BLOCK, &blocked, &saved)
        let spawned = Result { () throws(HookError) in try SpawnedHook.spawn(invocation) }
        pthread_sigmask(SIG_SETMASK, &saved, nil)
        let hook = try spawned.get()

        var output: [UInt8] = []
        for fd in [hook.stdout, hook.stderr] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count <= 0 { break }
                output += buffer[0..<count]
            }
            close(fd)
        }
        #expect(hook.reap() == .exited(0))
        let text = String(decoding: output, as: UTF8.self)
        // ls's own descriptor on the directory it lists is 3.
        #expect(text == "0 1 2 3 \nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n")
    }

    /// Every thread that runs hooks leaves SIGCHLD unblocked, even one created by a thread that blocks it, so that a
    /// hook's exit does not wake the daemon's main thread. Three runs wait for each other, so they hold three threads
    /// at once and at least one of them is created by this call (the pool keeps at most two idle).
    @Test func hookThreadsLeaveChildSignalUnblocked() throws {
        let arrivals = NSCondition()
        nonisolated(unsafe) var arrived = 0
        nonisolated(unsafe) var blockedOnThreads: [Bool] = []
        var childSignal = sigset_t()
        var saved = sigset_t()
        sigemptyset(&childSignal)
        sigaddset(&childSignal, SIGCHLD)
        pthread_sigmask(SIG_BLOCK, &childSignal, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        for _ in 0..<3 {
            try HookThread.start {
                var current = sigset_t()
                pthread_sigmask(SIG_BLOCK, nil, &current)
                arrivals.lock()
                arrived += 1
                blockedOnThreads.append(sigismember(&current, SIGCHLD) == 1)
                arrivals.broadcast()
                let deadline = Date().addingTimeInterval(10)
                while arrived < 3 && arrivals.wait(until: deadline) {}
                arrivals.unlock()
            }
        }
        arrivals.lock()
        let deadline = Date().addingTimeInterval(10)
        while blockedOnThreads.count < 3 && arrivals.wait(until: deadline) {}
        let seen = blockedOnThreads
        arrivals.unlock()
        #expect(seen == [false, false, false])
    }

    @Test func missingExecutableIsNotRun() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        var invocation = try fixture.hook("exit 0")
        invocation.executable = fixture.directory + "/does-not-exist"
        let result = await runner.run(invocation)
        guard case .notRun(let reason) = result.outcome else {
            Issue.record("expected not_run, got \(result.outcome)")
            return
        }
        #expect(reason.contains("does-not-exist"))
        #expect(result.process == nil)
    }

    @Test func nonExecutableFileIsNotRunWithTheFix() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("exit 0")
        #expect(chmod(invocation.executable, 0o644) == 0)
        let result = await runner.run(invocation)
        #expect(result.outcome == .notRun(reason: "\(invocation.executable) is not executable; chmod 755 \(invocation.executable)"))
    }

    @Test func scriptWithoutInterpreterLineIsNotRun() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let invocation = try fixture.hook("exit 0")
        try Data("echo no interpreter line\n".utf8).write(to: URL(fileURLWithPath: invocation.executable))
        let result = await runner.run(invocation)
        guard case .notRun(let reason) = result.outcome else {
            Issue.record("expected not_run, got \(result.outcome)")
            return
        }
        #expect(reason.hasPrefix("could not start \(invocation.executable)"))
        #expect(reason.contains("#!"))
    }

    @Test func binaryOutputIsKeptByteForByte() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let sink = CollectingSink()
        let result = await runner.run(try fixture.hook(#"printf '\377\376abc\200\000z\n\303'; printf '\351' >&2"#), sink: sink)
        #expect(result.outcome == .succeeded)
        #expect(result.stdoutTail == [0xFF, 0xFE, 0x61, 0x62, 0x63, 0x80, 0x00, 0x7A, 0x0A, 0xC3])
        #expect(result.stderrTail == [0xE9])
        let stdoutLines = sink.received.filter { $0.stream == .stdout }.map(\.bytes)
        #expect(stdoutLines == [[0xFF, 0xFE, 0x61, 0x62, 0x63, 0x80, 0x00, 0x7A], [0xC3]])
        #expect(sink.received.filter { $0.stream == .stderr }.map(\.bytes) == [[0xE9]])
    }

    /// A hook that prints nothing leaves no log file (its directory is still made first); one byte makes the file.
    @Test func aSilentHookLeavesNoLogFile() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        var silent = try fixture.hook("exit 1")
        silent.logPath = fixture.directory + "/logs/job-2/1.log"
        let result = await runner.run(silent)
        #expect(result.outcome == .failed(exitCode: 1))
        #expect(result.outputBytes == 0)
        #expect(result.logFailure == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/logs/job-2/1.log"))
        #expect(FileManager.default.fileExists(atPath: fixture.directory + "/logs/job-2"))

        var speaking = try fixture.hook("printf x >&2; exit 1")
        speaking.logPath = fixture.directory + "/logs/job-2/2.log"
        let spoke = await runner.run(speaking)
        #expect(spoke.outputBytes == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/logs/job-2/2.log")) == Data("x".utf8))
    }

    @Test func logFileGetsEveryByteWithPrivatePermissions() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        var invocation = try fixture.hook(#"i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; printf '\377end'; echo err >&2"#)
        invocation.logPath = fixture.directory + "/logs/job-1/1.log"
        invocation.tailBytes = 16
        let result = await runner.run(invocation)
        #expect(result.outcome == .succeeded)
        #expect(result.logFailure == nil)
        var expected = (0..<2000).flatMap { Array("line \($0)\n".utf8) }
        expected += [0xFF] + Array("end".utf8)
        let logged = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/logs/job-1/1.log")))
        // The streams are read concurrently, so stderr's one chunk lands somewhere between stdout's chunks.
        let errRange = try #require(logged.firstRange(of: Array("err\n".utf8)))
        var stdoutPart = logged
        stdoutPart.removeSubrange(errRange)
        #expect(stdoutPart == expected)
        #expect(Int64(logged.count) == result.outputBytes)
        #expect(result.stdoutTail == Array(expected.suffix(16)))
        var info = stat()
        #expect(stat(fixture.directory + "/logs/job-1/1.log", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(fixture.directory + "/logs/job-1", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    @Test func logThatFillsUpIsReportedAndTheHookRunsOn() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        var invocation = try fixture.hook("echo one; echo two")
        invocation.logPath = "/dev/full"
        let result = await runner.run(invocation)
        #expect(result.outcome == .succeeded)
        #expect(result.stdoutTail == Array("one\ntwo\n".utf8))
        #expect(result.logFailure?.contains("/dev/full") == true)
    }

    @Test func unwritableLogIsNotRun() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        var invocation = try fixture.hook("exit 0")
        let blocker = fixture.directory + "/file"
        try Data().write(to: URL(fileURLWithPath: blocker))
        invocation.logPath = blocker + "/sub/1.log"
        let result = await runner.run(invocation)
        guard case .notRun(let reason) = result.outcome else {
            Issue.record("expected not_run, got \(result.outcome)")
            return
        }
        #expect(reason.contains(blocker))
    }
}
