import Foundation
import TestSupport

/// `sidecar-bench imaging [runs]`: the demo's two phases through sidecar beside the bare commands a person would type
/// for the same result, in the same run. Run as root: PostgreSQL runs as `postgres` in a temp dir it owns.
///
/// Phase 1, a primary accepting connections: `initdb` + `pg_ctl start -w` beside `sidecar run --once` with an initdb
/// bootstrap. Phase 2, a replica streaming: `pg_basebackup -R` + `pg_ctl start -w` + waiting for `streaming` beside
/// `sidecar run --once` with the chain `[basebackup]` + the same wait. Also: from the end of sidecar's base backup
/// (the attempt's finish time) to streaming. Both copies ask for a fast checkpoint: with the default spread one, the
/// copy's time depends on how many dirty buffers the primary happens to have, not on who runs pg_basebackup.
enum ImagingBenchmark {
    static let bin = newestBinDirectory()

    static func run(_ arguments: [String]) -> Int32 {
        let runs = arguments.first.flatMap(Int.init) ?? 5
        guard geteuid() == 0, getpwnam("postgres") != nil else {
            FileHandle.standardError.write(Data("sidecar-bench imaging: run as root on a machine with a postgres user\n".utf8))
            return 64
        }
        let sidecar = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sidecar").path
        var bare1: [Double] = []
        var side1: [Double] = []
        var bare2: [Double] = []
        var side2: [Double] = []
        var tail: [Double] = []
        do {
            for round in 1...runs {
                let world = try World(sidecar: sidecar)
                defer { world.tearDown() }
                bare1.append(try world.barePrimary())
                bare2.append(try world.bareReplica())
                side1.append(try world.sidecarPrimary())
                let (replica, afterCopy) = try world.sidecarReplica()
                side2.append(replica)
                tail.append(afterCopy)
                print(
                    "round \(round): bare primary \(f(bare1.last!)) s, sidecar primary \(f(side1.last!)) s, "
                        + "bare replica \(f(bare2.last!)) s, sidecar replica \(f(side2.last!)) s, copy end → streaming \(f(afterCopy)) s")
            }
        } catch {
            FileHandle.standardError.write(Data("sidecar-bench imaging: \(error)\n".utf8))
            return 1
        }
        print("")
        print("median of \(runs) runs             bare      sidecar   ratio")
        print("primary accepting connections  \(f(median(bare1))) s   \(f(median(side1))) s   \(f(median(side1) / median(bare1)))×")
        print("replica streaming              \(f(median(bare2))) s   \(f(median(side2))) s   \(f(median(side2) / median(bare2)))×")
        print("sidecar: end of base backup → streaming: median \(f(median(tail))) s, max \(f(tail.max() ?? 0)) s")
        return 0
    }

    static func f(_ value: Double) -> String { String(format: "%.2f", value) }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func newestBinDirectory() -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return "/usr/lib/postgresql/\(versions.compactMap { Int($0) }.max() ?? 15)/bin"
    }

    /// One round's temp dir, owned by postgres, with a copy of the sidecar binary.
    struct World {
        let root: String
        let sidecar: String
        let basePort = Int.random(in: 20000..<40000)

        init(sidecar source: String) throws {
            var template = Array("/tmp/sidecar-bench-imaging-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed") }
            root = String(cString: made)
            chmod(root, 0o755)
            sidecar = root + "/sidecar"
            try FileManager.default.copyItem(atPath: source, toPath: sidecar)
            try shell(["/bin/chown", "-R", "postgres:postgres", root], asPostgres: false)
        }

        func tearDown() {
            for name in ["bare-primary", "bare-replica", "sc-a", "sc-b"] {
                let data = "\(root)/\(name)/data"
                if FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
                    _ = try? shell([bin + "/pg_ctl", "stop", "-m", "immediate", "-D", data])
                }
            }
            if ProcessInfo.processInfo.environment["KEEP"] == nil { try? FileManager.default.removeItem(atPath: root) }
        }

        func barePrimary() throws -> Double {
            try timed {
                let data = "\(root)/bare-primary/data"
                try shell([bin + "/initdb", "-D", data, "-U", "postgres", "--auth=trust"])
                try shell([bin + "/pg_ctl", "start", "-w", "-D", data, "-l", "\(root)/bare-primary.log", "-o", "-p \(basePort) -k \(root)"])
            }
        }

        func bareReplica() throws -> Double {
            try timed {
                let data = "\(root)/bare-replica/data"
                try shell([bin + "/pg_basebackup", "-D", data, "-X", "stream", "-c", "fast", "-R", "-h", root, "-p", "\(basePort)", "-U", "postgres"])
                try shell([bin + "/pg_ctl", "start", "-w", "-D", data, "-l", "\(root)/bare-replica.log", "-o", "-p \(basePort + 1) -k \(root)"])
                try waitStreaming(port: basePort, count: 1)
            }
        }

        func config(_ name: String, port: Int, chain: Bool) throws -> String {
            let path = "\(root)/\(name).yml"
            let yaml = """
                scope: bench
                name: \(name)
                bootstrap:
                  pg_hba:
                    - host replication all 127.0.0.1/32 trust
                postgresql:
                  data_dir: \(root)/\(name)/data
                  bin_dir: \(bin)
                  listen: 127.0.0.1:\(port)
                  parameters:
                    unix_socket_directories: \(root)
                  authentication:
                    superuser: {username: postgres}
                    replication: {username: replicator}
                  create_replica_methods: [basebackup]
                  basebackup:
                    - checkpoint: fast
                sidecar:
                  state_dir: \(root)/\(name)/state
                  dcs:
                    local:
                      path: \(root)/dcs.sqlite

                """
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            try shell(["/bin/chown", "postgres:postgres", path], asPostgres: false)
            return path
        }

        func sidecarPrimary() throws -> Double {
            let path = try config("sc-a", port: basePort + 2, chain: false)
            return try timed { try shell([sidecar, "run", "--once", "--config", path]) }
        }

        func sidecarReplica() throws -> (Double, Double) {
            let path = try config("sc-b", port: basePort + 3, chain: true)
            var streamingAt = Date()
            let total = try timed {
                try shell([sidecar, "run", "--once", "--config", path])
                try waitStreaming(port: basePort + 2, count: 1)
                streamingAt = Date()
            }
            let json = try shell([sidecar, "jobs", "show", "1", "--json", "--config", path])
            guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
                let attempts = object["attempts"] as? [[String: Any]],
                let finished = (attempts.last { $0["method"] as? String == "basebackup" })?["finished_at"] as? String,
                let copied = ISO8601DateFormatter.withFractions.date(from: finished) ?? ISO8601DateFormatter().date(from: finished)
            else { throw BenchError("no basebackup attempt in sidecar jobs show") }
            return (total, streamingAt.timeIntervalSince(copied))
        }

        func waitStreaming(port: Int, count: Int) throws {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let out = try? shell([
                    bin + "/psql", "-X", "-A", "-t", "-h", root, "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-c",
                    "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
                ])
                if out?.trimmingCharacters(in: .whitespacesAndNewlines) == "\(count)" { return }
                usleep(20_000)
            }
            throw BenchError("no streaming replica on port \(port) within 60 s")
        }

        func timed(_ body: () throws -> Void) throws -> Double {
            let start = Date()
            try body()
            return Date().timeIntervalSince(start)
        }

        /// Runs a command (as `postgres` unless told otherwise) with posix_spawn and waitpid: Foundation's `Process`
        /// has been seen never to reap its child under load.
        @discardableResult
        func shell(_ arguments: [String], asPostgres: Bool = true) throws -> String {
            let result = try AsUser.run(
                arguments, user: asPostgres ? "postgres" : nil, environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"],
                timeout: .seconds(120))
            guard result.succeeded else {
                throw BenchError("\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
            }
            return result.stdout
        }
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
