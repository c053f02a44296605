import Foundation
import Testing

@testable import Hooks

@Suite struct HookResolverTests {
    let scratch: FixtureTree
    let hooks: String
    let resolver: HookResolver

    init() throws {
        scratch = try FixtureTree()
        hooks = try scratch.directory("hooks.d")
        let bin = try scratch.directory("bin")
        try scratch.directory("bin2")
        try scratch.script("bin2/tool", mode: 0o644)
        try scratch.script("bin/tool")
        try scratch.script("bin/other")
        resolver = HookResolver(hooksDirectory: hooks, path: "relative/dir::\(scratch.path)/bin2:\(bin)")
    }

    private func reason(_ resolution: HookResolution) -> String {
        if case .rejected(let reason) = resolution { return reason }
        return "resolved to \(resolution.path ?? "?")"
    }

    @Test func bareNameInHooksDirectory() throws {
        let path = try scratch.script("hooks.d/wal_g_restore")
        #expect(resolver.resolve("wal_g_restore") == .resolved(path: path, realPath: path))
    }

    @Test func bareNameFallsBackToPathSkippingNonExecutables() {
        #expect(resolver.resolve("tool").path == "\(scratch.path)/bin/tool")
        #expect(resolver.resolve("other").path == "\(scratch.path)/bin/other")
    }

    @Test func bareNameInHooksDirectoryWinsOverPath() throws {
        let path = try scratch.script("hooks.d/tool")
        #expect(resolver.resolve("tool").path == path)
    }

    @Test func aBadFileInHooksDirectoryIsNotReplacedByPath() throws {
        let path = try scratch.script("hooks.d/tool", mode: 0o644)
        #expect(reason(resolver.resolve("tool")) == "\(path) is not executable: chmod 755 \(path)")
    }

    @Test func missingEverywhere() {
        let text = reason(resolver.resolve("nope"))
        #expect(text.contains("hook 'nope' not found in \(hooks)"))
        #expect(text.contains("\(hooks)/nope"))
    }

    @Test func absolutePathAsIs() {
        #expect(resolver.resolve("/bin/sh").path == "/bin/sh")
        #expect(reason(resolver.resolve("\(scratch.path)/missing")).contains("does not exist"))
    }

    @Test func slashRelativePathsAreInsideHooksDirectory() throws {
        try scratch.directory("hooks.d/sub")
        try scratch.script("hooks.d/sub/restore")
        #expect(resolver.resolve("sub/restore").path == "\(hooks)/sub/restore")
        #expect(resolver.resolve("./sub/restore").path == "\(hooks)/./sub/restore")
        #expect(resolver.resolve("sub/../sub/restore").path == "\(hooks)/sub/../sub/restore")
    }

    @Test func dotDotEscapesAreRefused() {
        let text = reason(resolver.resolve("../bin/tool"))
        #expect(text.contains("outside hooks_dir"))
        #expect(text.contains("\(scratch.path)/bin/tool"))
    }

    @Test func symlinkOutOfHooksDirectoryIsRefusedForSlashPaths() throws {
        try scratch.symlink("hooks.d/escape", to: "\(scratch.path)/bin/tool")
        #expect(reason(resolver.resolve("./escape")).contains("outside hooks_dir"))
        try scratch.symlink("hooks.d/dirlink", to: "\(scratch.path)/bin")
        #expect(reason(resolver.resolve("dirlink/tool")).contains("outside hooks_dir"))
    }

    @Test func symlinkInsideHooksDirectoryIsFine() throws {
        let target = try scratch.script("hooks.d/real_restore")
        try scratch.symlink("hooks.d/alias", to: "real_restore")
        #expect(resolver.resolve("./alias") == .resolved(path: "\(hooks)/./alias", realPath: target))
    }

    @Test func danglingSymlink() throws {
        try scratch.symlink("hooks.d/dangling", to: "\(scratch.path)/nowhere")
        #expect(reason(resolver.resolve("dangling")).contains("symlink to a missing file"))
        #expect(reason(resolver.resolve("./dangling")).contains("symlink to a missing file"))
    }

    @Test func nonExecutable() throws {
        let path = try scratch.script("hooks.d/restore", mode: 0o644)
        #expect(reason(resolver.resolve("restore")) == "\(path) is not executable: chmod 755 \(path)")
    }

    @Test func groupOrWorldWritable() throws {
        let world = try scratch.script("hooks.d/world", mode: 0o777)
        #expect(reason(resolver.resolve("world")) == "\(world) is world-writable, anyone could change what runs: chmod go-w \(world)")
        let group = try scratch.script("hooks.d/group", mode: 0o775)
        #expect(reason(resolver.resolve("group")).contains("group-writable"))
        #expect(reason(resolver.resolve("group")).contains("chmod go-w \(group)"))
    }

    @Test func inAWorldWritableDirectory() throws {
        let directory = try scratch.directory("open", mode: 0o777)
        let path = try scratch.script("open/restore")
        let text = reason(resolver.resolve(path))
        #expect(text.contains("world-writable directory \(directory)"))
        #expect(text.contains("chmod o-w \(directory)"))
    }

    @Test func notARegularFile() throws {
        try scratch.directory("hooks.d/adir")
        #expect(reason(resolver.resolve("adir")).contains("is not a regular file"))
    }

    @Test func missingHooksDirectory() {
        let resolver = HookResolver(hooksDirectory: "\(scratch.path)/absent", path: nil)
        #expect(reason(resolver.resolve("x/y")).contains("hooks_dir \(scratch.path)/absent does not exist"))
        #expect(reason(resolver.resolve("x")).contains("empty PATH"))
    }

    @Test func rejectionBecomesNotRun() {
        #expect(resolver.resolve("nope").notRunOutcome?.name == "not_run")
        #expect(resolver.resolve("/bin/sh").notRunOutcome == nil)
    }
}

extension HookResolverTests {
    @Test func launchResolvesArgvZeroAndRunsInHooksDirectory() throws {
        let path = try scratch.script("hooks.d/restore")
        guard case .run(let invocation) = resolver.launch(argv: ["restore", "--scope=s", "a b"], environment: ["A": "1"], timeout: .seconds(5)) else {
            Issue.record("restore did not resolve")
            return
        }
        #expect(invocation.executable == path)
        #expect(invocation.arguments == ["--scope=s", "a b"])
        #expect(invocation.workingDirectory == hooks)
        #expect(invocation.environment == ["A": "1"])
        #expect(invocation.timeout == .seconds(5))
        guard case .notRun(let reason) = resolver.launch(argv: ["nope"], environment: [:]) else {
            Issue.record("a missing hook was launched")
            return
        }
        #expect(reason.contains("hook 'nope' not found"))
        guard case .notRun = resolver.launch(argv: [], environment: [:]) else {
            Issue.record("an empty argv was launched")
            return
        }
    }
}
