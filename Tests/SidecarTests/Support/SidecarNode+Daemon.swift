import Foundation
import JobStore
import TestSupport

/// Waiting on a running daemon's jobs, and looking at the processes its hooks left.
extension SidecarNode {
    /// Waits until the node's job has an open attempt of `method` whose hook process is recorded; returns it.
    func runningAttempt(_ method: String, timeout: Duration = .seconds(60)) async throws -> Attempt {
        var found: Attempt?
        try await SidecarNode.waitUntil(timeout, "a running '\(method)' attempt with its process recorded") {
            for job in try jobs() {
                if let attempt = try history().attempts(jobID: job.id).last(where: {
                    $0.method == method && $0.outcome == nil && $0.process != nil
                }) {
                    found = attempt
                    return true
                }
            }
            return false
        }
        return try requireValue(found)
    }

    /// Waits until job `id` reaches `state`; returns it.
    @discardableResult
    func waitForJob(_ id: Int64, _ state: JobState, timeout: Duration = .seconds(120)) async throws -> Job {
        var job: Job?
        do {
            try await SidecarNode.waitUntil(timeout, "job \(id) \(state.rawValue)") {
                job = try history().job(id: id)
                return job?.state == state
            }
        } catch {
            throw TestSupportError("\(error)\n\(story())")
        }
        return try requireValue(job)
    }

    /// Stops the daemon with SIGTERM and waits for it (at most `timeout`); returns its exit status (`nil`: still running,
    /// then it is killed).
    @discardableResult
    static func stop(_ daemon: ChildProcess, timeout: Duration = .seconds(30)) async -> Int32? {
        daemon.kill(SIGTERM)
        let status = await daemon.wait(timeout: timeout)
        if status == nil { daemon.kill(SIGKILL) }
        return status
    }
}

/// Processes on this host, by pid and start time (so a reused pid is not mistaken for the one recorded).
enum Processes {
    /// Waits until `pid` has exited (gone or a zombie) or `timeout` passes; returns how long it took, or `nil` on
    /// timeout. Polled on a thread of its own: timing an exit on the cooperative pool would measure how busy the test
    /// process is, not the daemon.
    static func timeExit(_ pid: Int32, since start: ContinuousClock.Instant, timeout: Duration) async throws -> Duration? {
        try await EtcdHarness.offPool { timeExitBlocking(pid, since: start, timeout: timeout) }
    }

    /// The clock starts at `start` (taken by the caller right before the signal), not when this runs: a dispatch
    /// queue may start the block late on a loaded host.
    private static func timeExitBlocking(_ pid: Int32, since start: ContinuousClock.Instant, timeout: Duration) -> Duration? {
        while ContinuousClock.now - start < timeout {
            if ProcessIdentity.startTime(of: pid) == nil { return ContinuousClock.now - start }
            usleep(5_000)
        }
        return nil
    }

    /// Whether `pid` runs (not a zombie), and, when `startTime` is given, started then.
    static func isAlive(_ pid: Int32, startTime: Int64? = nil) -> Bool {
        guard let current = ProcessIdentity.startTime(of: pid) else { return false }
        return startTime == nil || current == startTime
    }

    /// The pid written in `file` (first line), if any.
    static func pid(in file: String) -> Int32? {
        (try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Int32($0.split(separator: "\n").first ?? "") }
    }

    /// Waits until `pid` (with `startTime`) is gone.
    static func waitUntilGone(_ pid: Int32, startTime: Int64? = nil, timeout: Duration = .seconds(10)) async throws {
        try await SidecarNode.waitUntil(timeout, "process \(pid) gone") { !isAlive(pid, startTime: startTime) }
    }
}

/// `#require` for an optional outside a test function's body.
func requireValue<T>(_ value: T?, _ what: String = "a value") throws -> T {
    guard let value else { throw TestSupportError("expected \(what), found nil") }
    return value
}
