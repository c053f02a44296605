import Foundation
import Hooks
import Postgres
import TestSupport
import Testing

@Suite("Arguments of PostgreSQL's programs")
struct ArgumentTests {
    let binaries = PostgresBinaries(
        directory: PostgresCluster.binDirectory, baseEnvironment: ["PATH": "/usr/bin", "PGHOST": "/evil", "PGPASSWORD": "x"])

    @Test("initdb: --pgdata, the bootstrap.initdb options in order, --username, --pwfile")
    func initdb() {
        let initdb = Initdb(
            binaries: binaries,
            dataDirectory: "/var/lib/pg data",
            options: [.value("encoding", "UTF8"), .flag("data-checksums"), .value("locale", "en_US.UTF-8"), .flag("k")],
            superuser: RoleCredentials(username: "postgres", password: "secret")
        )
        #expect(
            initdb.arguments(passwordFile: "/tmp/pw")
                == [
                    "--pgdata=/var/lib/pg data", "--encoding=UTF8", "--data-checksums", "--locale=en_US.UTF-8", "-k", "--username=postgres",
                    "--pwfile=/tmp/pw",
                ]
        )
        #expect(!initdb.arguments(passwordFile: nil).contains { $0.hasPrefix("--pwfile") })
    }

    @Test("pg_ctl: start -w with the timeout and a log file, settings shell-quoted in -o; stop with a mode; status; reload")
    func pgCtl() {
        let pgCtl = PgCtl(binaries: binaries, dataDirectory: "/data", timeout: .seconds(90))
        #expect(pgCtl.startArguments(logFile: "/state/postgres.log") == ["start", "-D", "/data", "-w", "-t", "90", "-l", "/state/postgres.log"])
        #expect(
            pgCtl.startArguments(logFile: "/l", settings: [ConfigParameter("hot_standby", "off"), ConfigParameter("cluster_name", "it's")]).suffix(2)
                == ["-o", "-c 'hot_standby=off' -c 'cluster_name=it'\\''s'"]
        )
        #expect(pgCtl.startArguments(logFile: "/l", wait: false) == ["start", "-D", "/data", "-W", "-l", "/l"])
        #expect(pgCtl.stopArguments(mode: .immediate) == ["stop", "-D", "/data", "-m", "immediate", "-w", "-t", "90"])
        #expect(pgCtl.statusArguments == ["status", "-D", "/data"])
        #expect(pgCtl.reloadArguments == ["reload", "-D", "/data"])
    }

    @Test("pg_basebackup: pgdata, -X stream, the connstring as dbname, then the options; PGPASSFILE set, no PG* inherited")
    func basebackup() {
        let backup = PgBaseBackup(
            binaries: binaries, dataDirectory: "/data", options: [.value("max-rate", "100M"), .flag("no-sync"), .value("c", "fast")])
        let source = Connstring(source: HostPort(host: "10.0.0.1", port: 5432), role: RoleCredentials(username: "replicator", password: "pw"))
        let invocation = backup.invocation(source: source, passfile: "/state/pgpass")
        #expect(
            invocation.arguments
                == [
                    "--pgdata=/data", "-X", "stream", "--dbname=dbname=postgres user=replicator host=10.0.0.1 port=5432", "--max-rate=100M",
                    "--no-sync",
                    "-c", "fast",
                ]
        )
        #expect(invocation.executable == PostgresCluster.binDirectory + "/pg_basebackup")
        #expect(invocation.environment["PGPASSFILE"] == "/state/pgpass")
        #expect(invocation.environment["PGHOST"] == nil && invocation.environment["PGPASSWORD"] == nil)
        #expect(!invocation.arguments.joined().contains("pw"))
        #expect(backup.clashingOptions.isEmpty)
        let clashing = PgBaseBackup(
            binaries: binaries, dataDirectory: "/d", options: [.value("wal-method", "fetch"), .value("U", "x"), .flag("progress")])
        #expect(clashing.clashingOptions == [.value("wal-method", "fetch"), .value("U", "x")])
    }

    @Test("--progress is added once, and its lines parse")
    func progress() throws {
        let source = Connstring(pairs: [.init("host", "h")])
        let backup = PgBaseBackup(binaries: binaries, dataDirectory: "/d", options: [], progress: true)
        #expect(backup.arguments(source: source).last == "--progress")
        let configured = PgBaseBackup(binaries: binaries, dataDirectory: "/d", options: [.flag("progress")], progress: true)
        #expect(configured.arguments(source: source).filter { $0 == "--progress" }.count == 1)
        #expect(BasebackupProgress(line: "22953/45906 kB (50%), 0/1 tablespace") == BasebackupProgress(doneKB: 22953, totalKB: 45906, percent: 50))
        #expect(
            BasebackupProgress(line: "\r  100/100 kB (100%), 1/1 tablespace (/data/base/1/2)")
                == BasebackupProgress(doneKB: 100, totalKB: 100, percent: 100))
        #expect(BasebackupProgress(line: "waiting for checkpoint") == nil)
        #expect(BasebackupProgress(line: "1/2 tablespaces") == nil)
    }

    @Test("psql and pg_isready always name the port; the SQL goes in a file")
    func psqlAndIsReady() {
        let psql = Psql(binaries: binaries, host: "/run/pg", port: 5433, user: "postgres")
        #expect(
            psql.arguments(file: "/tmp/f") == [
                "-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-password", "-h", "/run/pg", "-p", "5433", "-U", "postgres", "-d", "postgres", "-f",
                "/tmp/f",
            ])
        #expect(
            PgIsReady(binaries: binaries).arguments(host: nil, port: 5432, user: nil, timeout: .seconds(2)) == [
                "-p", "5432", "-d", "postgres", "-t", "2",
            ])
    }

    @Test("role setup SQL quotes names and passwords and keeps statements out of the log")
    func roleSetup() {
        let sql = RoleSetup.sql(
            superuser: RoleCredentials(username: "postgres", password: "su'pw\\"),
            replication: RoleCredentials(username: "rep\"l", password: "r'p")
        )
        #expect(sql.contains("SET log_statement = 'none';"))
        #expect(sql.contains("ALTER ROLE \"postgres\" WITH PASSWORD 'su''pw\\';"))
        #expect(sql.contains("quote_ident('rep\"l')"))
        #expect(sql.contains("ALTER ROLE \"rep\"\"l\" WITH LOGIN REPLICATION PASSWORD 'r''p';"))
    }

    @Test("missing programs are listed")
    func missing() throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try Fixtures.write("#!/bin/sh\n", to: dir.file("psql"))
        chmod(dir.file("psql"), 0o755)
        let partial = PostgresBinaries(directory: dir.path)
        #expect(partial.missing == [.initdb, .pgCtl, .pgBasebackup, .pgControldata, .pgIsready])
        let error = try #require(throws: PostgresError.self) { try partial.checkPresent() }
        #expect(error.message.contains("initdb, pg_ctl, pg_basebackup, pg_controldata, pg_isready"))
        #expect(PostgresBinaries(directory: PostgresCluster.binDirectory).missing.isEmpty)
    }

    @Test("pg_controldata output is parsed")
    func controlDataParse() throws {
        let text = """
            pg_control version number:            1300
            Catalog version number:               202209061
            Database system identifier:           7311431934113532191
            Database cluster state:               in production
            pg_control last modified:             Fri 27 Nov 2026 10:00:00 AM UTC
            Latest checkpoint location:           0/1000028
            Latest checkpoint's TimeLineID:       3

            """
        let data = try ControlData(parsing: text)
        #expect(data.systemIdentifier == "7311431934113532191")
        #expect(data.clusterState == "in production")
        #expect(data.controlVersion == 1300)
        #expect(data.timeline == 3)
        #expect(data.fields["Latest checkpoint location"] == "0/1000028")
        #expect(!data.isShutDown)
        #expect(throws: PostgresError.self) { try ControlData(parsing: "Datenbank-Systemidentifikation: 7311431934113532191\n") }
    }
}
