import ArgumentParser
import DCS
import Foundation
import Imaging
import JobStore

/// `sidecar plan [--json]`: a dry run. The data dir's state, the DCS view and whether it is reachable, the decision the
/// next cycle would take, each method's resolved command, full argv (secrets masked) and environment variable names,
/// and every failed check. Runs nothing and changes nothing; still prints with the DCS down.
///
/// Exit status: 0 when every check passed, 1 when one failed (the plan is printed either way), 64 bad configuration.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what the next cycle would do: data dir, DCS, decision, each method's argv and environment names, failed checks.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON document.")
    var json = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let config = try global.loadConfig(environment: environment)
        let postgres = try DaemonWiring.postgres(config, environment: environment)
        let imaging = DaemonWiring.imaging(config, postgres: postgres)
        let database = try? JobDatabase(stateDirectory: config.sidecar.stateDir, create: false, busyTimeout: .seconds(10))
        let dcs: Result<any DCSDriver, DCSError>
        do {
            dcs = .success(try DaemonWiring.dcs(config))
        } catch {
            dcs = .failure(DCSError(.unreachable, error.message))
        }
        let planner = ImagingPlanner(
            configuration: imaging, history: database.map { AuditHistory(database: $0) }, dcs: dcs,
            backendName: config.etcd == nil ? "local" : "etcd3", environment: environment)
        let plan = await planner.plan()
        if json {
            try JSONOutput.write(PlanOutput.document(plan))
        } else {
            Terminal.write(PlanOutput.text(plan))
        }
        if !plan.problems.isEmpty {
            throw CLIError("\(plan.problems.count == 1 ? "1 check" : "\(plan.problems.count) checks") failed", exitCode: CLIError.failure)
        }
    }
}
