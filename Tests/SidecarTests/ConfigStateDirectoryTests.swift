import Foundation
import Testing

@testable import Sidecar

/// `ConfigLoader.stateDirectory(file:)`: the state dir alone, for the `jobs` commands.
@Suite struct ConfigStateDirectoryTests {
    @Test func flagThenFileThenDefault() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        try Data("scope: s\nsidecar:\n  state_dir: var/state\n  unknown_key: 1\n".utf8).write(to: URL(fileURLWithPath: fixture.file))
        let loader = ConfigLoader(environment: [:])
        #expect(try loader.stateDirectory(file: fixture.file) == fixture.scratch.file("var/state"))
        let flagged = ConfigLoader(environment: [:], overrides: ConfigOverrides(stateDir: "/elsewhere/state"))
        #expect(try flagged.stateDirectory(file: fixture.file) == "/elsewhere/state")
        #expect(try flagged.stateDirectory(file: nil) == "/elsewhere/state")
        try Data("scope: s\n".utf8).write(to: URL(fileURLWithPath: fixture.file))
        #expect(try loader.stateDirectory(file: fixture.file) == fixture.scratch.file(".sidecar"))
    }

    @Test func problemsAreExit64() throws {
        let fixture = try ConfigFixture()
        defer { fixture.scratch.remove() }
        let loader = ConfigLoader(environment: [:])
        #expect(throws: CLIError.self) { try loader.stateDirectory(file: nil) }
        #expect(throws: CLIError.self) { try loader.stateDirectory(file: fixture.scratch.file("missing.yml")) }
        try Data("sidecar:\n  state_dir: [a, b]\n".utf8).write(to: URL(fileURLWithPath: fixture.file))
        do {
            _ = try loader.stateDirectory(file: fixture.file)
            Issue.record("a list as state_dir was accepted")
        } catch {
            #expect(error.exitCode == 64)
            #expect(error.message.hasPrefix("sidecar.state_dir: is a list"))
        }
    }
}
