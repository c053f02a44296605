import DCS
import Foundation
import TestSupport

/// `sidecar-bench etcd`: latency of a range and of the initialize txn through `EtcdDCS` (libcurl, reused handle)
/// beside `etcdctl` doing the same in the same run, and the cost of one lease keepalive, against a real etcd on
/// loopback started for the run.
enum EtcdBenchmark {
    static let iterations = 300
    static let etcdctlIterations = 30

    static func run() async -> Int32 {
        do {
            let etcd = try await EtcdHarness.start()
            defer { etcd.cleanup() }
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(osName()); \(etcdVersion())")
            let node = try EtcdDCS(.init(hosts: [etcd.endpoint], scope: "bench", name: "bench"))
            for name in ["a", "b", "c"] {
                try etcd.etcdctl([
                    "put", "/service/bench/members/\(name)", #"{"conn_url":"postgres://h:5432/postgres","state":"running","role":"replica"}"#,
                ])
            }
            _ = try await node.cluster()  // connect once

            print("\n(a) range of /service/bench/ (3 member keys), median of \(iterations) (etcdctl: \(etcdctlIterations))")
            let range = try await timed(iterations) { _ = try await node.cluster() }
            let rangeCLI = try timed(etcdctlIterations) { try etcd.etcdctl(["get", "--prefix", "/service/bench/"]) }
            report("EtcdDCS.cluster()", range)
            report("etcdctl get --prefix", rangeCLI)

            print("\n(b) initialize txn (create_revision == 0, put initialize + owner on the lease), winning path")
            var race: [Duration] = []
            for _ in 0..<iterations {
                race += try await timed(1) {
                    guard try await node.raceInitialize() else { throw EtcdHarness.Failure("initialize was not free") }
                }
                try await node.cancelInitialize()
            }
            // Compares, a blank line, success requests, a blank line, failure requests (none), end.
            let txnScript = "create(\"/service/bench-cli/initialize\") = \"0\"\n\nput /service/bench-cli/initialize \"\"\n\n\n"
            var raceCLI: [Duration] = []
            for _ in 0..<etcdctlIterations {
                raceCLI += try timed(1) { try etcdctlTxn(etcd, txnScript) }
                try etcd.etcdctl(["del", "/service/bench-cli/initialize"])
            }
            report("EtcdDCS.raceInitialize()", race)
            report("etcdctl txn", raceCLI)

            print("\n(c) lease keepalive, once per cycle")
            try await node.touchMember(Member(name: "bench", connURL: "postgres://h:5432/postgres", state: "running", role: "replica"))
            let cpuBefore = cpuSeconds()
            let keepAlive = try await timed(iterations) { try await node.keepAlive() }
            let cpu = (cpuSeconds() - cpuBefore) / Double(iterations)
            let leases = try etcd.etcdctl(["lease", "list"]).split(separator: "\n").dropFirst()
            let leaseID = String(leases.first ?? "")
            let keepAliveCLI = try timed(etcdctlIterations) { try etcd.etcdctl(["lease", "keep-alive", "--once", leaseID]) }
            report("EtcdDCS.keepAlive()", keepAlive)
            report("etcdctl lease keep-alive --once", keepAliveCLI)
            print(String(format: "  sidecar CPU per keepalive (user+sys): %.3f ms", cpu * 1e3))
            await node.close()
            return 0
        } catch {
            FileHandle.standardError.write(Data("sidecar-bench etcd: \(error)\n".utf8))
            return 1
        }
    }

    private static func timed(_ count: Int, _ body: () async throws -> Void) async throws -> [Duration] {
        var samples: [Duration] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            try await body()
            samples.append(ContinuousClock.now - start)
        }
        return samples
    }

    private static func timed(_ count: Int, _ body: () throws -> Void) throws -> [Duration] {
        var samples: [Duration] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            try body()
            samples.append(ContinuousClock.now - start)
        }
        return samples
    }

    private static func report(_ label: String, _ samples: [Duration]) {
        let sorted = samples.sorted()
        let milliseconds = { (duration: Duration) in
            Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
        }
        let p90 = sorted[min(sorted.count - 1, sorted.count * 9 / 10)]
        print(
            String(
                format: "  %@ median %.3f ms, p90 %.3f ms (n=%d)",
                label.padding(toLength: 34, withPad: " ", startingAt: 0), milliseconds(sorted[sorted.count / 2]), milliseconds(p90), sorted.count
            ))
    }

    /// `etcdctl txn` reading its compares and requests from stdin, as an operator would type them.
    private static func etcdctlTxn(_ etcd: EtcdHarness, _ script: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcdctl")
        process.arguments = etcd.etcdctlArguments() + ["txn"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(script.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw EtcdHarness.Failure("etcdctl txn exited \(process.terminationStatus)") }
    }

    private static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func osName() -> String {
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let line = release.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
        return line.map { String($0.dropFirst("PRETTY_NAME=".count)).replacingOccurrences(of: "\"", with: "") } ?? "unknown OS"
    }

    private static func etcdVersion() -> String {
        (try? EtcdHarness.version()) ?? "unknown"
    }
}
