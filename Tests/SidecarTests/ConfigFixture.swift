import Foundation
import TestSupport

@testable import Sidecar

/// Writes a configuration into a scratch directory and loads it with a given environment and flags.
struct ConfigFixture {
    let scratch: ScratchDirectory

    init() throws {
        scratch = try ScratchDirectory("config")
    }

    /// The config file path inside the scratch directory.
    var file: String { scratch.file("sidecar.yml") }

    /// Writes `yaml` and loads it.
    func load(_ yaml: String, environment: [String: String] = [:], overrides: ConfigOverrides = ConfigOverrides()) throws -> ConfigLoadResult {
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
        return ConfigLoader(environment: environment, overrides: overrides).load(file: file)
    }

    /// Writes an executable `/bin/sh` hook into `<scratch>/<relative>`.
    func hook(_ relative: String, mode: Int = 0o755) throws {
        let path = scratch.file(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("#!/bin/sh\nexit 0\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// The smallest valid configuration, plus `extra` lines.
    static func minimal(_ extra: String = "") -> String {
        """
        scope: batman
        name: node1
        postgresql:
          data_dir: /var/lib/pg/data
        \(extra)
        """
    }
}
