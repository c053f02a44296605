import DCS
import Foundation
import Hooks
import JobStore
import Postgres

/// Gathers an ``ImagingPlan``: reads the data dir, the job store (when it exists), the DCS once, and resolves every
/// hook; runs nothing and changes nothing. Never throws: what cannot be read is a problem in the plan.
public struct ImagingPlanner: Sendable {
    public var configuration: ImagingConfiguration
    /// The job store's history, `nil` when the daemon has not created it yet.
    public var history: AuditHistory?
    /// The DCS driver, or why none could be built (e.g. the local DCS file cannot be opened): then the plan shows the
    /// DCS as unreachable.
    public var dcs: Result<any DCSDriver, DCSError>
    /// The backend's name shown when no driver could be built (`local`, `etcd3`).
    public var backendName: String
    /// sidecar's environment (hooks get it minus `SIDECAR_*`; `PATH` finds bare hook names).
    public var environment: [String: String]

    public init(
        configuration: ImagingConfiguration, history: AuditHistory?, dcs: Result<any DCSDriver, DCSError>, backendName: String,
        environment: [String: String]
    ) {
        self.backendName = backendName
        self.configuration = configuration
        self.history = history
        self.dcs = dcs
        self.environment = environment
    }

    public func plan() async -> ImagingPlan {
        var problems: [ImagingPlan.Problem] = []
        let directory = DataDirectory(path: configuration.postgres.dataDirectory)
        var job: Job?
        do {
            job = try history?.unfinishedJob(dataDirectory: directory.path)
        } catch {
            problems.append(.init("job store", "could not read the job database: \(error)"))
        }
        var state: DataDirectoryState?
        do {
            state = try directory.state(imagingUnfinished: job != nil)
        } catch {
            problems.append(.init("postgresql.data_dir", "\(error)"))
        }
        var dcsState = ImagingPlan.DCSState(backend: backendName, view: nil, error: nil)
        do {
            let driver = try dcs.get()
            dcsState.backend = driver.backend
            dcsState.view = try await driver.cluster()
        } catch {
            dcsState.error = error.message
            problems.append(.init("DCS", "\(dcsState.backend) unreachable: \(error.message)"))
        }
        let decision = PlanDecision.make(
            state: state, job: job.map { ($0.kind, $0.options) }, view: dcsState.view, decider: configuration.decider)
        if state == .foreign && job == nil {
            problems.append(.init("postgresql.data_dir", "\(directory.path): \(DataDirectoryState.foreignAdvice)"))
        } else if state?.needsImaging == true || job != nil {
            do {
                try directory.checkSafeToClear(stateDirectory: configuration.stateDirectory)
            } catch {
                problems.append(.init("postgresql.data_dir", "\(error)"))
            }
        }
        let binaries = configuration.postgres.binaries
        let missing = binaries.missing
        if !missing.isEmpty {
            problems.append(
                .init(
                    "postgresql.bin_dir",
                    "\(missing.map(\.rawValue).joined(separator: ", ")) not found or not executable in \(binaries.directory): "
                        + "set postgresql.bin_dir to the directory holding PostgreSQL's programs"))
        }
        let methods = self.methods(decision: decision, view: dcsState.view)
        for method in methods {
            if let reason = method.notRunReason {
                problems.append(.init("\(method.role) method '\(method.name)'", reason))
            }
        }
        var source: String?
        if case .clone(let member, _, _)? = decision.decision { source = member.name }
        return ImagingPlan(
            scope: configuration.scope, node: configuration.name, dataDirectory: directory.path, dataDirectoryState: state,
            unfinishedJob: job.map { ($0.id, $0.kind.rawValue, $0.state.rawValue) }, dcs: dcsState, decision: decision.text,
            action: decision.action, cloneSource: source, methods: methods, problems: problems)
    }

    // MARK: - Methods

    private var resolver: HookResolver { HookResolver(hooksDirectory: configuration.hooksDirectory, path: environment["PATH"]) }

    private func methods(decision: PlanDecision, view: ClusterView?) -> [ImagingPlan.Method] {
        var methods: [ImagingPlan.Method] = []
        if let bootstrap = configuration.bootstrap {
            methods += bootstrapMethods(bootstrap, inNextPass: decision.action == "bootstrap")
        }
        // The source the chain would use: the decision's, else (for the record) the one a clone would pick now.
        var source: Member?
        var chosen: Set<String> = []
        switch decision.decision {
        case .clone(let member, _, let names)?:
            source = member
            chosen = Set(names)
        case .cloneWithoutLeader(let names)?:
            chosen = Set(names)
        default:
            source = view.flatMap { configuration.decider.cloneSource($0) { _ in 0 }?.member }
        }
        let withoutLeader: Bool
        if case .cloneWithoutLeader? = decision.decision { withoutLeader = true } else { withoutLeader = false }
        let connstring = withoutLeader ? Connstring.empty : connection(source)
        let pgpass = withoutLeader || source == nil ? nil : configuration.postgres.pgpassPath
        for method in configuration.chain {
            methods.append(replicaMethod(method, connstring: connstring, pgpass: pgpass, inNextPass: chosen.contains(method.name)))
        }
        return methods
    }

    private func connection(_ source: Member?) -> Connstring {
        guard let address = source?.hostAndPort else { return .empty }
        return Connstring(source: HostPort(host: address.host, port: address.port), role: configuration.postgres.replication)
    }

    private func replicaMethod(_ method: HookMethod, connstring: Connstring, pgpass: String?, inNextPass: Bool) -> ImagingPlan.Method {
        if method.isBuiltinBasebackup {
            let argv = instance.basebackupArgv(connstring: connstring)
            return ImagingPlan.Method(
                role: "replica", name: method.name, command: nil, executable: argv[0], argv: SecretMask.maskArgv(argv),
                environment: environmentNames(method: method.name, pgpass: pgpass), inNextPass: inNextPass, notRunReason: nil)
        }
        let argv: [String]
        do throws(HookError) {
            argv = try PatroniArgv.replica(
                method: method, scope: configuration.scope, dataDirectory: configuration.postgres.dataDirectory,
                connstring: connstring.description)
        } catch {
            return hook("replica", method.name, method.commandLine, argv: [method.commandLine], failure: error.message, inNextPass: inNextPass)
        }
        return hook("replica", method.name, method.commandLine, argv: argv, pgpass: pgpass, inNextPass: inNextPass)
    }

    private func bootstrapMethods(_ bootstrap: BootstrapConfiguration, inNextPass: Bool) -> [ImagingPlan.Method] {
        var methods: [ImagingPlan.Method] = []
        if let custom = bootstrap.custom {
            do throws(HookError) {
                let argv = try PatroniArgv.bootstrap(method: custom, scope: configuration.scope, dataDirectory: configuration.postgres.dataDirectory)
                methods.append(hook("bootstrap", custom.name, custom.commandLine, argv: argv, inNextPass: inNextPass))
            } catch {
                methods.append(
                    hook("bootstrap", custom.name, custom.commandLine, argv: [custom.commandLine], failure: error.message, inNextPass: inNextPass))
            }
        } else {
            let argv = instance.initdbArgv
            methods.append(
                ImagingPlan.Method(
                    role: "bootstrap", name: "initdb", command: nil, executable: argv[0], argv: SecretMask.maskArgv(argv),
                    environment: environmentNames(method: "initdb", pgpass: nil), inNextPass: inNextPass, notRunReason: nil))
        }
        if let command = bootstrap.postBootstrap {
            let connstring = configuration.postgres.localSuperuserConnstring.description
            do throws(HookError) {
                let argv = try PatroniArgv.postBootstrap(command: command, connstring: connstring)
                methods.append(
                    hook(
                        "post_bootstrap", "post_bootstrap", command, argv: argv, pgpass: configuration.postgres.pgpassPath,
                        extra: HookEnvironment.postBootstrapExtra, inNextPass: inNextPass))
            } catch {
                methods.append(hook("post_bootstrap", "post_bootstrap", command, argv: [command], failure: error.message, inNextPass: inNextPass))
            }
        }
        return methods
    }

    /// A user hook: argv[0] resolved as it would be at run time.
    private func hook(
        _ role: String, _ name: String, _ command: String, argv: [String], pgpass: String? = nil, extra: [String: String] = [:],
        failure: String? = nil, inNextPass: Bool
    ) -> ImagingPlan.Method {
        var argv = argv
        var reason = failure
        var executable: String?
        if reason == nil {
            let resolution = resolver.resolve(argv[0])
            if let path = resolution.path {
                argv[0] = path
                executable = path
            } else {
                reason = resolution.notRunReason
            }
        }
        return ImagingPlan.Method(
            role: role, name: name, command: command, executable: executable, argv: SecretMask.maskArgv(argv),
            environment: environmentNames(method: name, pgpass: pgpass, extra: extra), inNextPass: inNextPass, notRunReason: reason)
    }

    private func environmentNames(method: String, pgpass: String?, extra: [String: String] = [:]) -> [String] {
        HookEnvironment.build(base: environment, pgpassFile: pgpass, jobID: "0", attempt: 0, method: method, extra: extra).keys.sorted()
    }

    private var instance: LocalInstance {
        LocalInstance(configuration: configuration, runner: HookRunner(), logger: .init(label: "plan"))
    }
}
