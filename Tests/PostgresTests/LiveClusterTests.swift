import Foundation
import Hooks
import Postgres
import TestSupport
import Testing

@Suite("PostgreSQL's programs against a real PostgreSQL 15 cluster")
struct LiveClusterTests {
    let binaries = PostgresBinaries(directory: PostgresCluster.binDirectory)

    @Test("pg_controldata reads the system identifier, state and version of a running and a stopped cluster")
    func controlData() async throws {
        let cluster = try PostgresCluster.running()
        defer { cluster.remove() }
        let expected = try cluster.query("SELECT system_identifier FROM pg_control_system()")
        let running = try await PgControlData(binaries: binaries, dataDirectory: cluster.dataDirectory).read()
        #expect(running.systemIdentifier == expected)
        #expect(running.clusterState == "in production")
        #expect(running.controlVersion == 1300)
        #expect(running.timeline == 1)
        try cluster.stop()
        let stopped = try await PgControlData(binaries: binaries, dataDirectory: cluster.dataDirectory).read()
        #expect(stopped.isShutDown)
        #expect(try DataDirectory(path: cluster.dataDirectory).version() == PostgresVersion(major: 15))
    }

    @Test("pg_controldata on a directory that is not a cluster is a command error")
    func controlDataMissing() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let error = await #expect(throws: PostgresError.self) { try await PgControlData(binaries: binaries, dataDirectory: dir.path).read() }
        #expect(error?.code == .command)
    }

    @Test("pg_isready: accepting on a running cluster, no response on a free port")
    func isReady() async throws {
        let cluster = try PostgresCluster.running()
        defer { cluster.remove() }
        let isReady = PgIsReady(binaries: binaries)
        #expect(try await isReady.check(host: cluster.socketDirectory, port: cluster.port) == .accepting)
        #expect(try await isReady.check(host: "127.0.0.1", port: cluster.port) == .accepting)
        #expect(try await isReady.check(host: "127.0.0.1", port: try FreePort.next()) == .noResponse)
    }

    @Test("psql role setup: the replication role exists with LOGIN, REPLICATION and its password; no password in the server log")
    func roles() async throws {
        let cluster = try PostgresCluster(initdbOptions: ["--auth-local=trust", "--auth-host=scram-sha-256"])
        defer { cluster.remove() }
        try Fixtures.append("log_statement = 'all'\nlog_min_error_statement = 'info'\n", to: cluster.dataDirectory + "/postgresql.conf")
        try cluster.start()
        let psql = Psql(binaries: binaries, host: cluster.socketDirectory, port: cluster.port, user: "postgres")
        let superuser = RoleCredentials(username: "postgres", password: "Su per'secret\\1")
        let replication = RoleCredentials(username: "replicator", password: "rep:l'pass")
        try await psql.setUpRoles(superuser: superuser, replication: replication)
        try await psql.setUpRoles(superuser: superuser, replication: replication)
        #expect(try cluster.query("SELECT rolcanlogin, rolreplication FROM pg_roles WHERE rolname = 'replicator'") == "t|t")

        // The password works over TCP with scram, read from a pgpass file sidecar wrote.
        let pgpassDir = try ScratchDirectory()
        defer { pgpassDir.remove() }
        let pgpass = pgpassDir.file("pgpass")
        try PgPass(entries: [PgPass.Entry(host: "127.0.0.1", port: cluster.port, user: "replicator", password: "rep:l'pass")]).write(to: pgpass)
        let viaPassword = Psql(binaries: binaries, host: "127.0.0.1", port: cluster.port, user: "replicator", passfile: pgpass)
        try await viaPassword.execute("SELECT 1;")
        let wrong = Psql(binaries: binaries, host: "127.0.0.1", port: cluster.port, user: "replicator", passfile: nil)
        let error = await #expect(throws: PostgresError.self) { try await wrong.execute("SELECT 1;") }
        #expect(error?.message.contains("password") == true)

        let log = try Fixtures.read(cluster.logFile)
        #expect(log.contains("statement: SELECT 1"), "log_statement = 'all' is in effect")
        #expect(!log.contains("rep:l''pass") && !log.contains("per''secret"))
    }

    @Test("a failing statement stops psql and its error is in the message")
    func psqlError() async throws {
        let cluster = try PostgresCluster.running()
        defer { cluster.remove() }
        let psql = Psql(binaries: binaries, host: cluster.socketDirectory, port: cluster.port, user: "postgres")
        let error = await #expect(throws: PostgresError.self) {
            try await psql.execute("CREATE TABLE t (a int);\nSELECT nonsense;\nCREATE TABLE u (a int);\n")
        }
        #expect(error?.message.contains("nonsense") == true)
        #expect(try cluster.query("SELECT count(*) FROM pg_class WHERE relname IN ('t', 'u')") == "1")
    }
}
