import Foundation

/// `sidecar-bench http [seconds] [clients]`: the daemon's resident memory idle and while a replica chain runs, and
/// `GET /status` latency under load. Run as root: PostgreSQL runs as `postgres` in a temp dir it owns.
///
/// A primary (sidecar bootstrap, then `pgbench -i -s 10`, ~160 MB) runs under its own daemon; after a few idle
/// cycles its RSS is read from `/metrics`. Then a replica daemon runs the chain `[noisy, basebackup]` (`noisy` prints
/// 200,000 lines and fails; `basebackup` copies the primary with `--progress`, `checkpoint: fast`) while `clients` threads request
/// `/status` from it back to back; the replica daemon's peak RSS is its `VmHWM` at the end. Last, six rounds of
/// connection churn on the primary's daemon show whether memory grows per connection.
enum HTTPBenchmark {
    static func run(_ arguments: [String]) -> Int32 {
        let clients = arguments.dropFirst().first.flatMap(Int.init) ?? 32
        guard geteuid() == 0, getpwnam("postgres") != nil else {
            FileHandle.standardError.write(Data("sidecar-bench http: run as root on a machine with a postgres user\n".utf8))
            return 64
        }
        let sidecar = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("sidecar").path
        do {
            let world = try ImagingBenchmark.World(sidecar: sidecar)
            defer { world.tearDown() }
            return try measure(world, clients: clients)
        } catch {
            FileHandle.standardError.write(Data("sidecar-bench http: \(error)\n".utf8))
            return 1
        }
    }

    static func measure(_ world: ImagingBenchmark.World, clients: Int) throws -> Int32 {
        let portA = world.basePort + 2
        let httpA = world.basePort + 10
        let httpB = world.basePort + 11
        let configA = try world.config("sc-a", port: portA, chain: false)
        try append("  listen: 127.0.0.1:\(httpA)\n", to: configA, world: world)
        try ("loop_wait: 2\n" + String(contentsOfFile: configA, encoding: .utf8)).write(toFile: configA, atomically: false, encoding: .utf8)
        try world.shell([world.sidecar, "run", "--once", "--config", configA])
        try world.shell([
            ImagingBenchmark.bin + "/pgbench", "-i", "-q", "-s", "10", "-h", world.root, "-p", "\(portA)", "-U", "postgres", "postgres",
        ])

        let daemonA = try Daemon(world: world, config: configA)
        defer { daemonA.stop() }
        try waitFor(port: httpA, "/health", seconds: 30)
        Thread.sleep(forTimeInterval: 10)
        let idle = try rssFromMetrics(port: httpA)
        print("primary daemon idle (10 s, cycles every 2 s): RSS \(mb(idle)) MB")

        try writeNoisyHook(world)
        let configB = try world.config("sc-b", port: world.basePort + 3, chain: true)
        try String(contentsOfFile: configB, encoding: .utf8).replacingOccurrences(
            of: "create_replica_methods: [basebackup]", with: "create_replica_methods: [noisy, basebackup]"
        ).write(toFile: configB, atomically: true, encoding: .utf8)
        try append("  listen: 127.0.0.1:\(httpB)\n  hooks_dir: \(world.root)/hooks.d\n", to: configB, world: world)

        let daemonB = try Daemon(world: world, config: configB)
        defer { daemonB.stop() }
        do {
            try waitFor(port: httpB, "/health", seconds: 30)
        } catch {
            print("replica daemon log:\n\(daemonB.logTail)")
            throw error
        }
        let load = LoadResult()
        let deadline = Date().addingTimeInterval(120)
        let group = DispatchGroup()
        let done = Flag()
        for _ in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                while !done.isSet, Date() < deadline {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let ok = (try? get(port: httpB, "/status").status) == 200
                    load.record(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6, ok: ok)
                }
                group.leave()
            }
        }
        let started = Date()
        var sawJob = false
        while Date() < deadline {
            if let body = try? get(port: httpB, "/readiness"), body.status == 200, sawJob { break }
            if let body = try? get(port: httpB, "/status").body, body.contains("\"attempt\": {") { sawJob = true }
            usleep(100_000)
        }
        done.set()
        group.wait()
        let elapsed = Date().timeIntervalSince(started)
        if Date() >= deadline {
            print("the chain did not finish within 120 s; replica status:\n\((try? get(port: httpB, "/status").body) ?? "-")")
            print((try? world.shell([world.sidecar, "jobs", "list", "--config", configB])) ?? "")
        }
        let peak = daemonB.peakRSS() ?? 0
        let after = try rssFromMetrics(port: httpB)
        let latencies = load.latencies.sorted()
        func percentile(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print("replica chain [noisy (200,000 lines), basebackup of ~160 MB] under /status load: \(String(format: "%.1f", elapsed)) s")
        print("replica daemon RSS: peak (VmHWM) \(mb(peak)) MB, after the chain \(mb(after)) MB")
        print(
            "/status with \(clients) clients back to back: \(latencies.count) requests (\(load.failures) failed), "
                + "\(Int(Double(latencies.count) / elapsed)) req/s, p50 \(ms(percentile(0.5))) ms, p99 \(ms(percentile(0.99))) ms, "
                + "max \(ms(latencies.last ?? 0)) ms")
        let churnFailures = churn(daemonA, port: httpA, clients: clients)
        return load.failures == 0 && churnFailures == 0 && sawJob ? 0 : 1
    }

    /// Six 5 s rounds of `clients` threads opening a connection per `GET /health` against the primary's daemon,
    /// printing its anonymous and total resident memory after each round: memory that grows per connection shows
    /// as a climb from round to round. Returns the failed requests.
    static func churn(_ daemon: Daemon, port: Int, clients: Int) -> Int {
        print("connection churn on the primary's daemon (\(clients) clients, a connection per GET /health):")
        print("  before: anonymous \(mb(daemon.statusBytes("RssAnon") ?? 0)) MB, RSS \(mb(daemon.statusBytes("VmRSS") ?? 0)) MB")
        var failures = 0
        for round in 1...6 {
            let load = LoadResult()
            let group = DispatchGroup()
            let deadline = Date().addingTimeInterval(5)
            for _ in 0..<clients {
                group.enter()
                Thread.detachNewThread {
                    while Date() < deadline {
                        load.record(0, ok: (try? get(port: port, "/health").status) == 200)
                    }
                    group.leave()
                }
            }
            group.wait()
            failures += load.failures
            print(
                "  round \(round): \(load.latencies.count) connections (\(load.failures) failed), anonymous "
                    + "\(mb(daemon.statusBytes("RssAnon") ?? 0)) MB, RSS \(mb(daemon.statusBytes("VmRSS") ?? 0)) MB")
        }
        return failures
    }

    static func writeNoisyHook(_ world: ImagingBenchmark.World) throws {
        let directory = "\(world.root)/hooks.d"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/noisy"
        let script = "#!/bin/sh\nseq 1 200000 | sed 's/^/restore: segment /'\necho 'restore: no backup' >&2\nexit 1\n"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        chmod(directory, 0o755)
        try world.shell(["/bin/chown", "-R", "postgres:postgres", directory], asPostgres: false)
    }

    static func append(_ text: String, to path: String, world: ImagingBenchmark.World) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    static func rssFromMetrics(port: Int) throws -> Double {
        let body = try get(port: port, "/metrics").body
        guard let line = body.split(separator: "\n").first(where: { $0.hasPrefix("process_resident_memory_bytes ") }),
            let value = Double(line.split(separator: " ")[1])
        else { throw BenchError("no process_resident_memory_bytes in /metrics") }
        return value
    }

    static func waitFor(port: Int, _ path: String, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? get(port: port, path).status) == 200 { return }
            usleep(100_000)
        }
        throw BenchError("\(path) on \(port) not 200 within \(seconds) s")
    }

    static func mb(_ bytes: Double) -> String { String(format: "%.1f", bytes / 1_048_576) }
    static func ms(_ value: Double) -> String { String(format: "%.2f", value) }

    /// One `GET` on a fresh loopback connection (`Connection: close`), read to the end.
    static func get(port: Int, _ path: String) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed") }
        defer { close(fd) }
        var time = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect failed") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { throw BenchError("send failed") }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: data, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// A `sidecar run` as postgres; stopped with SIGTERM (runuser passes it on).
    final class Daemon {
        let process = Process()
        let log: String

        /// The last lines of the daemon's log.
        var logTail: String {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(20).joined(separator: "\n")
        }

        init(world: ImagingBenchmark.World, config: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", world.sidecar, "run", "--config", config]
            process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
            // The daemon's log beside its config, to read when a run goes wrong.
            log = config + ".log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log) ?? FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// The sidecar process's peak resident memory (`VmHWM` of runuser's child).
        func peakRSS() -> Double? { statusBytes("VmHWM") }

        /// A `kB` field of the sidecar process's `/proc/PID/status` (runuser's child), in bytes.
        func statusBytes(_ field: String) -> Double? {
            let parent = process.processIdentifier
            guard let children = try? String(contentsOfFile: "/proc/\(parent)/task/\(parent)/children", encoding: .utf8),
                let child = children.split(separator: " ").first,
                let status = try? String(contentsOfFile: "/proc/\(child)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
                let kilobytes = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1])
            else { return nil }
            return kilobytes * 1024
        }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning, Date() < deadline { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    final class LoadResult: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var latencies: [Double] = []
        private(set) var failures = 0

        func record(_ milliseconds: Double, ok: Bool) {
            lock.withLock {
                if ok { latencies.append(milliseconds) } else { failures += 1 }
            }
        }
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }
}
