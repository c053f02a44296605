import Foundation

/// A throwaway PostgreSQL 15 cluster for tests: a temp dir under `/tmp` owned by `postgres`, initdb'd and started as
/// `postgres` (the binaries refuse root), listening on a free loopback port with its socket in the temp dir.
///
/// Call ``remove()`` when done (it stops the server with `pg_ctl stop -m immediate` and removes the directory).
public final class PostgresCluster: Sendable {
    public static let binDirectory = "/usr/lib/postgresql/15/bin"
    public static let user = "postgres"

    /// The temp dir (also the socket directory and where the server log goes).
    public let directory: ScratchDirectory
    public let dataDirectory: String
    public let port: Int
    public var socketDirectory: String { directory.path }
    public var logFile: String { directory.file("server.log") }

    /// Creates and initdb's a cluster (trust authentication, superuser `postgres`) without starting it.
    public init(initdbOptions: [String] = []) throws {
        directory = try ScratchDirectory("pg", owner: Self.user)
        dataDirectory = directory.file("data")
        port = try FreePort.next()
        let initdb = try AsUser.run(
            [Self.binary("initdb"), "--pgdata=\(dataDirectory)", "--username=postgres", "--auth=trust", "--no-sync", "--no-instructions"]
                + initdbOptions
        )
        guard initdb.succeeded else {
            directory.remove()
            throw TestSupportError("initdb failed: \(initdb.stderr)")
        }
        let settings = """

            port = \(port)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(socketDirectory)'
            fsync = off
            wal_level = replica
            max_wal_senders = 5

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
        try handle.close()
    }

    /// A started cluster.
    public static func running(initdbOptions: [String] = []) throws -> PostgresCluster {
        let cluster = try PostgresCluster(initdbOptions: initdbOptions)
        do {
            try cluster.start()
        } catch {
            cluster.remove()
            throw error
        }
        return cluster
    }

    public static func binary(_ name: String) -> String { binDirectory + "/" + name }

    /// `pg_ctl start -w` as `postgres`; throws with the server log when it does not come up within 60 s.
    public func start() throws {
        let result = try AsUser.run(
            [Self.binary("pg_ctl"), "start", "-D", dataDirectory, "-w", "-t", "60", "-l", logFile],
            timeout: .seconds(90)
        )
        guard result.succeeded else {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            throw TestSupportError("pg_ctl start failed: \(result.stderr)\n\(log)")
        }
    }

    /// `pg_ctl stop -m <mode> -w` as `postgres`.
    public func stop(mode: String = "fast") throws {
        let result = try AsUser.run([Self.binary("pg_ctl"), "stop", "-D", dataDirectory, "-m", mode, "-w", "-t", "60"], timeout: .seconds(90))
        guard result.succeeded else { throw TestSupportError("pg_ctl stop failed: \(result.stderr)") }
    }

    /// Runs SQL through `psql -X -A -t` as the current user (root may run psql), connecting as `user` over the socket.
    public func query(_ sql: String, user: String = "postgres", database: String = "postgres") throws -> String {
        let result = try AsUser.run(
            [
                Self.binary("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", String(port), "-U", user, "-d", database,
                "-c", sql,
            ],
            user: nil,
            environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]
        )
        guard result.succeeded else { throw TestSupportError("psql failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The postmaster's pid while it runs (first line of `postmaster.pid`).
    public var postmasterPID: Int32? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// Stops the server if it runs (immediate) and removes the temp dir.
    public func remove() {
        if postmasterPID != nil {
            _ = try? AsUser.run([Self.binary("pg_ctl"), "stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "60"], timeout: .seconds(90))
        }
        directory.remove()
    }
}
