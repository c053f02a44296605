import Foundation

/// A process a test started: its output collected, waited for with a deadline, and killed by pid when the test
/// is done with it.
public final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let lock = NSLock()
    private var stdoutData = Data()
    private var stderrData = Data()
    private var openStreams = 2

    /// Starts `executable` with `arguments`. Throws when it cannot be started.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        read(stdoutPipe.fileHandleForReading) { $0.stdoutData.append($1) }
        read(stderrPipe.fileHandleForReading) { $0.stderrData.append($1) }
    }

    /// Reads `handle` on its own thread until end of file, appending as data comes.
    private func read(_ handle: FileHandle, into append: @escaping @Sendable (ChildProcess, Data) -> Void) {
        Thread.detachNewThread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                lock.withLock { append(self, data) }
            }
            lock.withLock { openStreams -= 1 }
        }
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Everything written to stdout so far.
    public var stdout: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
    /// Everything written to stderr so far.
    public var stderr: String { lock.withLock { String(decoding: stderrData, as: UTF8.self) } }

    /// Waits until the process exits, at most `timeout`; returns its exit status, or `nil` on timeout.
    public func wait(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Let the readers drain the pipes (a grandchild may hold them open: then give up after a grace).
        let drained = ContinuousClock.now + .seconds(2)
        while lock.withLock({ openStreams > 0 }), ContinuousClock.now < drained {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Waits until stdout holds a line for which `match` is true, at most `timeout`; returns it or `nil`.
    public func waitForLine(timeout: Duration, _ match: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").map(String.init).first(where: match) { return line }
            if !process.isRunning { return stdout.split(separator: "\n").map(String.init).first(where: match) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Sends `signal` to the process (by its pid).
    public func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    deinit {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}
