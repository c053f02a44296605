import Foundation

/// What the run found.
struct ReliabilityReport {
    var jobs = 0
    var lost: [Int64] = []
    var openAttempts = 0
    var hooksAlive = 0
    var killsDuringHook = 0
    var toClaimed: [Double] = []
    var toHookRunning: [Double] = []

    var clean: Bool { lost.isEmpty && openAttempts == 0 && hooksAlive == 0 }

    var text: String {
        func stats(_ values: [Double]) -> String {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return "-" }
            let p95 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
            return String(format: "median %.3f s, p95 %.3f s, max %.3f s", sorted[sorted.count / 2], p95, sorted.last!)
        }
        return """
            jobs killed and restarted        \(jobs) (\(killsDuringHook) kills while the hook ran)
            jobs lost                        \(lost.count)\(lost.isEmpty ? "" : " \(lost)")
            attempts without an outcome      \(openAttempts)
            hook processes left alive        \(hooksAlive)
            restart → job claimed again      \(stats(toClaimed))
            restart → its hook running again \(stats(toHookRunning)) (\(toHookRunning.count) jobs)
            """
    }
}
