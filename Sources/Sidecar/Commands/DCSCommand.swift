import ArgumentParser
import DCS
import Foundation

/// `sidecar dcs show | release-initialize`.
struct DCSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcs", abstract: "Look at the cluster's keys in the DCS, or release an orphaned initialize key.",
        subcommands: [DCSShowCommand.self, DCSReleaseInitializeCommand.self])
}

/// `sidecar dcs show [--json]`: the keys under `<namespace><scope>/`.
struct DCSShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the cluster's DCS keys.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One JSON document.")
    var json = false

    func run() async throws {
        let config = try global.loadConfig()
        let view = try await DCSCommand.read(config)
        let prefix = config.namespace + config.scope
        if json {
            var object: [String: Any] = ["prefix": prefix, "members": [String: Any]()]
            object["initialize"] = view.initialize ?? NSNull()
            object["initialize_owner"] = view.initializeOwner ?? NSNull()
            object["leader"] = view.leader ?? NSNull()
            object["config"] = view.config ?? NSNull()
            var members: [String: Any] = [:]
            for member in view.members {
                members[member.name] = (try? JSONSerialization.jsonObject(with: Data(member.json().utf8))) ?? member.json()
            }
            object["members"] = members
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        var rows: [(String, String)] = []
        rows.append(("\(prefix)/initialize", view.initialize.map { $0.isEmpty ? "\"\" (bootstrap in progress)" : $0 } ?? "(absent)"))
        if let owner = view.initializeOwner { rows.append(("  set by", owner)) }
        rows.append(("\(prefix)/leader", view.leader ?? "(absent)"))
        for member in view.members.sorted(by: { $0.name < $1.name }) {
            rows.append(("\(prefix)/members/\(member.name)", member.json()))
        }
        if let config = view.config { rows.append(("\(prefix)/config", config)) }
        let width = rows.map(\.0.count).max() ?? 0
        for (key, value) in rows {
            print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }
}

/// `sidecar dcs release-initialize [--force]`: removes an `initialize` left at `""` by a bootstrap that died.
struct DCSReleaseInitializeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release-initialize",
        abstract: "Remove an initialize key left at \"\" (refused while the node that set it still holds its lease).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Remove it even though the node that set it still holds its lease.")
    var force = false

    func run() async throws {
        let config = try global.loadConfig()
        let dcs = try DaemonWiring.dcs(config)
        let release: InitializeRelease
        do {
            release = try await dcs.releaseInitialize(force: force)
        } catch {
            throw DCSCommand.cliError(error)
        }
        switch release {
        case .nothingToRelease(let initialize?):
            throw CLIError("initialize holds the system identifier \(initialize): the cluster is bootstrapped; refusing to remove it")
        case .nothingToRelease(nil):
            print("no initialize key: nothing to release")
        case .refused(let owner):
            throw CLIError(
                "node '\(owner)' set initialize and still holds its lease (it may be bootstrapping now); "
                    + "wait for its bootstrap to end, or pass --force")
        case .released(let owner?):
            FileHandle.standardError.write(Data("sidecar: warning: removed initialize while '\(owner)' still held its lease\n".utf8))
            print("released initialize")
        case .released(nil):
            print("released initialize")
        }
    }
}

extension DCSCommand {
    /// One read of the cluster's keys; exit 69 when the DCS is unreachable.
    static func read(_ config: SidecarConfig) async throws(CLIError) -> ClusterView {
        let dcs = try DaemonWiring.dcs(config)
        do {
            return try await dcs.cluster()
        } catch {
            throw cliError(error)
        }
    }

    static func cliError(_ error: DCSError) -> CLIError {
        CLIError("DCS: \(error.message)", exitCode: error.code == .unreachable ? CLIError.unavailable : CLIError.failure)
    }
}
