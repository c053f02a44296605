import Testing

@testable import Hooks

@Suite struct HookEnvironmentTests {
    @Test func dropsSidecarVariablesAndAddsTheRunsOwn() {
        let base = ["PATH": "/usr/bin", "HOME": "/root", "SIDECAR_CONFIG": "/etc/s.yml", "SIDECAR_API_TOKEN": "x", "PGPASSFILE": "/old"]
        let environment = HookEnvironment.build(base: base, pgpassFile: "/state/pgpass", jobID: "42", attempt: 3, method: "wal_e")
        #expect(
            environment == [
                "PATH": "/usr/bin", "HOME": "/root", "PGPASSFILE": "/state/pgpass", "SIDECAR_JOB_ID": "42", "SIDECAR_ATTEMPT": "3",
                "SIDECAR_METHOD": "wal_e",
            ]
        )
    }

    @Test func withoutPgpassTheBaseIsKeptAndExtraIsAdded() {
        let environment = HookEnvironment.build(
            base: ["LANG": "C.UTF-8"],
            jobID: "7",
            attempt: 1,
            method: "post_bootstrap",
            extra: HookEnvironment.postBootstrapExtra
        )
        #expect(environment["PGPASSFILE"] == nil)
        #expect(environment["LANG"] == "C.UTF-8")
        #expect(environment["PGOPTIONS"] == "-c synchronous_commit=local -c statement_timeout=0")
        #expect(environment["SIDECAR_METHOD"] == "post_bootstrap")
    }
}
