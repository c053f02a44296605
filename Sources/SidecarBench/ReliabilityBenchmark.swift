import Foundation
import JobStore
import TestSupport

/// `sidecar-bench reliability [jobs]` (default 100): SIGKILL the daemon at a random moment of each of `jobs` replica
/// jobs and restart it. Reports jobs lost, attempts left without an outcome and hook processes left alive (all three
/// must be 0; exit 1 otherwise), and the time from the restart to the job running again. Run as root on a machine with
/// a `postgres` user: sidecar runs as `postgres` (through `setpriv`, so the pid killed is sidecar's own).
///
/// No PostgreSQL is involved: the chain is one `no_leader` hook that starts a grandchild ignoring SIGTERM, sleeps a
/// random 1–2 s on the job's first run (0.1 s on later runs) and fails; `sidecar.replica.max_cycles: 1` ends the job
/// after that pass. Each job is queued by `sidecar reinit --force`; the kill lands a random 0–1 s after the job is
/// claimed, so before or while its hook runs.
enum ReliabilityBenchmark {
    static func run(_ arguments: [String]) async -> Int32 {
        let jobs = arguments.first.flatMap(Int.init) ?? 100
        guard geteuid() == 0, getpwnam("postgres") != nil else {
            FileHandle.standardError.write(Data("sidecar-bench reliability: run as root on a machine with a postgres user\n".utf8))
            return 64
        }
        do {
            let world = try ReliabilityWorld()
            defer { world.tearDown() }
            let report = try await world.run(jobs: jobs)
            print(report.text)
            return report.clean ? 0 : 1
        } catch {
            FileHandle.standardError.write(Data("sidecar-bench reliability: \(error)\n".utf8))
            return 1
        }
    }
}
