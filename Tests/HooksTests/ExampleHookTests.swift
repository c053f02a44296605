import Foundation
import TestSupport
import Testing

/// The example hooks in `hooks.d/`, run for real with `/bin/sh` (pgBackRest's option check is the real one).
@Suite struct ExampleHookTests {
    /// `hooks.d` of this repository.
    static let hooksDirectory: String = {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return tests.deletingLastPathComponent().appendingPathComponent("hooks.d").path
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `hooks.d/<name>` with `arguments` and exactly `environment` (plus a PATH), waiting at most 60 s.
    static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let fullEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin"].merging(environment) { $1 }
        let child = try ChildProcess("\(hooksDirectory)/\(name)", arguments, environment: fullEnvironment)
        guard let status = await child.wait(timeout: .seconds(60)) else {
            child.kill()
            Issue.record("\(name) did not exit within 60 s")
            return Run(status: -1, stdout: child.stdout, stderr: child.stderr)
        }
        return Run(status: status, stdout: child.stdout, stderr: child.stderr)
    }

    /// One `call ... end` record written by `log_args`.
    struct Call: Equatable {
        var argv: [String]
        var environmentNames: [String]
    }

    /// Parses the records of a `log_args` output file.
    static func calls(in text: String) -> [Call] {
        var calls: [Call] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "call" {
                calls.append(Call(argv: [], environmentNames: []))
            } else if line.hasPrefix("argv: ") {
                calls[calls.count - 1].argv.append(unescape(String(line.dropFirst(6))))
            } else if line.hasPrefix("env: ") {
                calls[calls.count - 1].environmentNames.append(String(line.dropFirst(5)))
            }
        }
        return calls
    }

    static func unescape(_ text: String) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if escaped {
                out.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func scratch() throws -> String {
        let path = "/tmp/sidecar-example-hooks-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func hooksArePosixShellScriptsWithMode755() async throws {
        for name in ["pgbackrest_restore", "wal_g_restore", "log_args"] {
            let path = "\(Self.hooksDirectory)/\(name)"
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o755, "\(name)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("#!/bin/sh\n"), "\(name)")
        }
    }

    @Test func logArgsRecordsArgvExactlyAndEnvironmentNamesOnly() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = "\(directory)/calls.log"
        let tricky = ["--scope=bat man", "--note=it's \"quoted\" $HOME; rm -rf /", "--multi=a\nb\n", "--back=\\n\\", "--żółw=日本", "--empty=", ""]
        let first = try await Self.run("log_args", tricky + ["--output=\(output)"], environment: ["SECRET_VALUE": "hunter2"])
        #expect(first.status == 0)
        let second = try await Self.run("log_args", ["--exit_code=3"], environment: ["LOG_ARGS_FILE": output])
        #expect(second.status == 3)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(!text.contains("hunter2"))
        let calls = Self.calls(in: text)
        #expect(calls.count == 2)
        #expect(calls.first?.argv == ["\(Self.hooksDirectory)/log_args"] + tricky + ["--output=\(output)"])
        #expect(calls.first?.environmentNames.contains("SECRET_VALUE") == true)
        #expect(calls.first?.environmentNames.contains("PATH") == true)
        #expect(calls.last?.argv.dropFirst().elementsEqual(["--exit_code=3"]) == true)

        let toStdout = try await Self.run("log_args", ["x y"])
        #expect(Self.calls(in: toStdout.stdout).first?.argv.last == "x y")
    }

    @Test func pgbackrestRestoreBuildsTheRestoreCommand() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = "\(directory)/calls.log"
        let fake = ["--pgbackrest=\(Self.hooksDirectory)/log_args"]
        let replica = try await Self.run(
            "pgbackrest_restore",
            fake + [
                "--stanza=main", "--delta=True", "--process_max=4", "--threshold=9", "--scope=batman", "--role=replica",
                "--datadir=/var/lib/pg data", "--connstring=host=x password=y",
            ],
            environment: ["LOG_ARGS_FILE": output]
        )
        #expect(replica.status == 0, "\(replica.stderr)")
        #expect(replica.stderr.contains("ignoring parameter --threshold"))
        #expect(!replica.stderr.contains("password=y"))
        let bootstrap = try await Self.run(
            "pgbackrest_restore",
            fake + ["--scope=batman", "--datadir=/d", "--type=time", "--target=2026-01-01 00:00:00+00", "--target_action=promote", "--force=False"],
            environment: ["LOG_ARGS_FILE": output]
        )
        #expect(bootstrap.status == 0)
        let calls = Self.calls(in: try String(contentsOfFile: output, encoding: .utf8))
        #expect(
            calls.map { Array($0.argv.dropFirst()) } == [
                ["--pg1-path=/var/lib/pg data", "--stanza=main", "--delta", "--process-max=4", "--type=standby", "restore"],
                [
                    "--pg1-path=/d", "--stanza=batman", "--type=time", "--target=2026-01-01 00:00:00+00", "--target-action=promote",
                    "restore",
                ],
            ]
        )
        let missing = try await Self.run("pgbackrest_restore", fake + ["--stanza=main"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--datadir=DIR is required"))
    }

    @Test func pgbackrestRestoreOptionsAreValidForTheRealPgBackRest() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: "\(directory)/data", withIntermediateDirectories: true)
        let common = [
            "--datadir=\(directory)/data", "--repo1-path=\(directory)/repo", "--lock-path=\(directory)", "--log-path=\(directory)",
            "--log_level_file=off", "--stanza=main", "--scope=batman",
        ]
        for extra in [
            ["--role=replica", "--delta=True", "--process_max=2"],
            ["--type=time", "--target=2026-01-01 00:00:00+00", "--target_action=promote", "--target_timeline=latest", "--set=latest"],
            ["--type=immediate", "--target_action=pause", "--archive_mode=off", "--recovery_option=restore_command=true"],
        ] {
            let run = try await Self.run("pgbackrest_restore", common + extra)
            // 31 is pgBackRest's "option invalid"; with valid options it gets as far as the (missing) repository.
            #expect(run.status != 31 && run.status != 0, "\(extra): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("no backup set found") || run.stderr.contains("backup set latest is not valid"), "\(run.stderr)")
        }
        let invalid = try await Self.run("pgbackrest_restore", common + ["--role=replica", "--target_action=promote"])
        #expect(invalid.status == 31, "target-action without a PITR type is refused by pgBackRest itself: \(invalid.stderr)")
    }

    @Test func walGRestoreFetchesIntoTheDataDirWithEnvdirSettings() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = "\(directory)/calls.log"
        let envdir = "\(directory)/env"
        try FileManager.default.createDirectory(atPath: envdir, withIntermediateDirectories: true)
        try Data("s3://bucket/prefix\nignored second line\n".utf8).write(to: URL(fileURLWithPath: "\(envdir)/WALG_S3_PREFIX"))
        try Data("abc".utf8).write(to: URL(fileURLWithPath: "\(envdir)/AWS_SECRET_ACCESS_KEY"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(envdir)/not-a-name"))
        let run = try await Self.run(
            "wal_g_restore",
            [
                "--wal_g=\(Self.hooksDirectory)/log_args", "--no_master=1", "--envdir=\(envdir)", "--threshold_megabytes=10240",
                "--use_iam=1", "--unknown=1", "--scope=batman", "--role=replica", "--datadir=/data/pg", "--connstring=",
            ],
            environment: ["LOG_ARGS_FILE": output]
        )
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("ignoring parameter --unknown"))
        let call = try #require(Self.calls(in: try String(contentsOfFile: output, encoding: .utf8)).first)
        #expect(Array(call.argv.dropFirst()) == ["backup-fetch", "/data/pg", "LATEST"])
        #expect(call.environmentNames.contains("WALG_S3_PREFIX") && call.environmentNames.contains("AWS_SECRET_ACCESS_KEY"))
        #expect(!call.environmentNames.contains("not-a-name"))

        let named = try await Self.run(
            "wal_g_restore",
            ["--wal_g=\(Self.hooksDirectory)/log_args", "--datadir=/d", "--backup_name=base_000000010000000000000002", "--config=/etc/walg.yaml"],
            environment: ["LOG_ARGS_FILE": output]
        )
        #expect(named.status == 0)
        let second = try #require(Self.calls(in: try String(contentsOfFile: output, encoding: .utf8)).last)
        #expect(Array(second.argv.dropFirst()) == ["--config", "/etc/walg.yaml", "backup-fetch", "/d", "base_000000010000000000000002"])

        let missing = try await Self.run("wal_g_restore", ["--wal_g=/bin/true"])
        #expect(missing.status == 2)
    }
}
