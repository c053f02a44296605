import DCS
import Foundation
import Hooks
import Imaging
import JobStore
import Logging
import Postgres

/// Turns a loaded ``SidecarConfig`` into the typed configuration and parts each module takes.
enum DaemonWiring {
    /// The `postgresql:` section for the Postgres module; throws ``CLIError`` (64) for an address that does not parse.
    static func postgres(_ config: SidecarConfig, environment: [String: String]) throws(CLIError) -> PostgresConfiguration {
        let settings = config.postgresql
        let connectAddress: HostPort?
        do {
            connectAddress = try settings.connectAddress.map { try HostPort(parsing: $0) }
        } catch {
            throw CLIError("postgresql.connect_address: \(error); write host:port", exitCode: CLIError.usage)
        }
        return PostgresConfiguration(
            dataDirectory: settings.dataDir,
            binDirectory: settings.binDir ?? defaultBinDirectory(environment: environment),
            listen: HostPort(host: settings.listenAddresses ?? "localhost", port: settings.port),
            connectAddress: connectAddress,
            parameters: settings.parameters.map { ConfigParameter($0.key, $0.value.rendered) },
            pgpassPath: settings.pgpass,
            pgCtlTimeout: settings.pgCtlTimeout,
            superuser: credentials(settings.superuser),
            replication: credentials(settings.replication),
            basebackupOptions: settings.basebackupOptions.map(\.commandOption),
            stateDirectory: config.sidecar.stateDir)
    }

    static func imaging(_ config: SidecarConfig, postgres: PostgresConfiguration) -> ImagingConfiguration {
        var imaging = ImagingConfiguration(
            scope: config.scope, name: config.name, stateDirectory: config.sidecar.stateDir, hooksDirectory: config.sidecar.hooksDir,
            postgres: postgres)
        imaging.loopWait = config.loopWait
        imaging.chain = config.postgresql.chain.map { method in
            var method = method
            method.timeout = method.timeout ?? config.sidecar.methodTimeouts[method.name]
            return method
        }
        if let settings = config.bootstrap {
            var bootstrap = BootstrapConfiguration()
            bootstrap.method = settings.method
            bootstrap.custom = settings.customMethod.map { method in
                var method = method
                method.timeout = method.timeout ?? config.sidecar.methodTimeouts[method.name]
                return method
            }
            bootstrap.initdbOptions = settings.initdbOptions.map(\.commandOption)
            bootstrap.pgHBA = settings.pgHba
            bootstrap.postBootstrap = settings.postBootstrap
            bootstrap.dcsConfigJSON = settings.dcs.map(\.json)
            bootstrap.recoveryTimeout = config.sidecar.bootstrapRecoveryTimeout
            bootstrap.maxAttempts = config.sidecar.bootstrapMaxAttempts
            imaging.bootstrap = bootstrap
        }
        imaging.basebackupRetries = config.sidecar.basebackupRetries
        imaging.basebackupRetryWait = config.sidecar.basebackupRetryWait
        imaging.maxCycles = config.sidecar.replicaMaxCycles
        imaging.backoffMax = config.sidecar.replicaBackoffMax
        imaging.keepFailed = config.sidecar.keepFailed
        imaging.afterImaging = config.sidecar.afterImaging == .stopped ? .stopped : .running
        imaging.hookTimeout = config.sidecar.hookTimeout
        imaging.hookGrace = config.sidecar.hookGrace
        imaging.outputTail = config.sidecar.outputTail
        imaging.retention = config.sidecar.retention
        imaging.clonefrom = config.tags.clonefrom
        imaging.nofailover = config.tags.nofailover
        imaging.tags = Dictionary(
            config.tags.all.filter { $0.key != "clonefrom" && $0.key != "nofailover" }.map { ($0.key, $0.value.rendered) }
        ) { _, last in last }
        imaging.apiURL = "http://\(config.sidecar.listen)/status"
        return imaging
    }

    /// The DCS driver: etcd v3 when `etcd3` is configured, else the embedded local store.
    static func dcs(_ config: SidecarConfig) throws(CLIError) -> any DCSDriver {
        if let etcd = config.etcd {
            do {
                return try EtcdDCS(
                    EtcdDCS.Configuration(
                        hosts: etcd.hosts, protocol: etcd.protocolName, cacert: etcd.cacert, cert: etcd.cert, key: etcd.key,
                        username: etcd.username, password: etcd.password, namespace: config.namespace, scope: config.scope,
                        name: config.name, ttl: config.ttl, retryTimeout: config.retryTimeout))
            } catch {
                throw CLIError("etcd3: \(error.message)", exitCode: CLIError.usage)
            }
        }
        do {
            return try LocalDCS(
                LocalDCS.Configuration(
                    path: config.sidecar.localDCSPath, namespace: config.namespace, scope: config.scope, name: config.name, ttl: config.ttl,
                    retryTimeout: config.retryTimeout))
        } catch {
            throw CLIError("sidecar.dcs.local.path: \(error.message)", exitCode: CLIError.failure)
        }
    }

    /// `bin_dir`'s default: the directory of `initdb` on PATH, then the newest `/usr/lib/postgresql/*/bin`.
    static func defaultBinDirectory(environment: [String: String]) -> String {
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/initdb"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                let resolved = (candidate as NSString).resolvingSymlinksInPath
                return (resolved as NSString).deletingLastPathComponent
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newest = versions.compactMap { Int($0) }.max()
        return newest.map { "/usr/lib/postgresql/\($0)/bin" } ?? "/usr/lib/postgresql/bin"
    }

    private static func credentials(_ role: RoleSettings) -> RoleCredentials {
        RoleCredentials(
            username: role.username, password: role.password,
            ssl: Dictionary(role.ssl.map { ($0.key, $0.value.rendered) }) { _, last in last })
    }
}

extension ToolOption {
    /// The Postgres module's form of one `initdb` / `pg_basebackup` option.
    var commandOption: CommandOption {
        value.map { CommandOption.value(name, $0) } ?? CommandOption.flag(name)
    }
}
