import Foundation
import Imaging
import JobStore

/// `GET /metrics` in the Prometheus text exposition format (0.0.4), written by hand: a few families, read from the
/// job database and the node's status at each scrape.
enum MetricsText {
    /// Upper bounds (seconds) of the attempt duration histogram: from a quick hook to a multi-hour restore.
    static let durationBounds: [Double] = [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 28800]

    /// Renders every family. Throws `JobStoreError` when the job database cannot be read.
    static func render(status: NodeStatus.Snapshot, configuration: ImagingConfiguration, history: AuditHistory) throws(JobStoreError) -> String {
        var text = ""
        let counts = try history.jobCounts()
        family(&text, "sidecar_jobs", "gauge", "Jobs in the job database by kind and state.")
        for kind in JobKind.allCases {
            for state in JobState.allCases {
                let count = counts.first { $0.kind == kind && $0.state == state }?.count ?? 0
                sample(&text, "sidecar_jobs", [("kind", kind.rawValue), ("state", state.rawValue)], Double(count))
            }
        }

        family(&text, "sidecar_attempts_total", "counter", "Finished attempts (hook runs) by method and outcome.")
        for count in try history.attemptCounts() {
            sample(&text, "sidecar_attempts_total", [("method", count.method), ("outcome", count.outcome.rawValue)], Double(count.count))
        }

        family(&text, "sidecar_attempt_duration_seconds", "histogram", "Duration of finished attempts by method.")
        for histogram in try history.attemptDurations(bounds: durationBounds) {
            for (bound, count) in zip(durationBounds, histogram.bucketCounts) {
                sample(
                    &text, "sidecar_attempt_duration_seconds_bucket", [("method", histogram.method), ("le", number(bound))], Double(count))
            }
            sample(&text, "sidecar_attempt_duration_seconds_bucket", [("method", histogram.method), ("le", "+Inf")], Double(histogram.count))
            sample(&text, "sidecar_attempt_duration_seconds_sum", [("method", histogram.method)], histogram.sumSeconds)
            sample(&text, "sidecar_attempt_duration_seconds_count", [("method", histogram.method)], Double(histogram.count))
        }

        family(&text, "sidecar_chain_passes_total", "counter", "Replica chain passes that ran at least one method.")
        sample(&text, "sidecar_chain_passes_total", [], Double(try history.chainPasses(methods: configuration.chain.map(\.name))))

        family(&text, "sidecar_last_success_timestamp_seconds", "gauge", "When an imaging job last succeeded (Unix time; 0: never).")
        sample(&text, "sidecar_last_success_timestamp_seconds", [], try history.lastSuccess()?.timeIntervalSince1970 ?? 0)

        family(&text, "sidecar_dcs_up", "gauge", "Whether the last cycle could read the DCS.")
        sample(&text, "sidecar_dcs_up", [("backend", status.dcsBackend)], status.dcsReachable ? 1 : 0)

        family(&text, "sidecar_ready", "gauge", "Whether the data dir is imaged and the instance verified (readiness).")
        sample(&text, "sidecar_ready", [], status.imagedAndVerified ? 1 : 0)

        family(&text, "sidecar_job_running", "gauge", "Whether an imaging job runs now.")
        sample(&text, "sidecar_job_running", [], status.currentJob == nil ? 0 : 1)

        family(&text, "sidecar_last_cycle_timestamp_seconds", "gauge", "When the daemon's cycle last ran (Unix time).")
        sample(&text, "sidecar_last_cycle_timestamp_seconds", [], status.lastCycleAt?.timeIntervalSince1970 ?? 0)

        family(&text, "process_resident_memory_bytes", "gauge", "Resident memory of the sidecar process.")
        sample(&text, "process_resident_memory_bytes", [], Double(ProcessMemory.residentBytes() ?? 0))
        return text
    }

    private static func family(_ text: inout String, _ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func sample(_ text: inout String, _ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(number(value))\n"
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction, other values with up to three decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.3f", value)
    }
}

/// The process's own resident memory, from `/proc/self/statm`.
enum ProcessMemory {
    /// Resident bytes, or `nil` where `/proc` is not readable.
    static func residentBytes() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
