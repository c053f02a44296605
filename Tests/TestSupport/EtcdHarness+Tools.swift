import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension EtcdHarness {
    /// A loopback TCP port nobody listens on right now, below the ephemeral range (see ``FreePort``): a port in that
    /// range can be taken by an outgoing connection while etcd is stopped, and ``restart(timeout:)`` then fails.
    public static func freePort() throws -> Int {
        try FreePort.next()
    }

    /// Runs a blocking call (a child process, a socket wait) on a dispatch queue, keeping Swift's cooperative pool
    /// free for the other tests running in parallel.
    public static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func makeTempDirectory(prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure("mkdtemp failed: errno \(errno)") }
        return String(cString: made)
    }

    /// Runs a tool to completion; stdout and stderr are returned together.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A CA, a server certificate for 127.0.0.1 (usable as a client too: etcd's gateway dials itself with it) and a
    /// client certificate, all generated with `openssl` into `directory`.
    static func generateCertificates(in directory: String) throws -> TLSFiles {
        let path = { (name: String) in "\(directory)/\(name)" }
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + key + ["-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "2", "-subj", "/CN=sidecar test CA"])
        for (name, usage) in [("server", "serverAuth,clientAuth"), ("client", "clientAuth")] {
            try openssl(["req"] + key + ["-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=sidecar-\(name)"])
            let extensions = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=\(usage)\n"
            try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
            try openssl([
                "x509", "-req", "-in", path("\(name).csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial",
                "-out", path("\(name).crt"), "-days", "2", "-extfile", path("\(name).ext"),
            ])
        }
        return TLSFiles(
            caCert: path("ca.crt"),
            serverCert: path("server.crt"),
            serverKey: path("server.key"),
            clientCert: path("client.crt"),
            clientKey: path("client.key")
        )
    }

    private static func openssl(_ arguments: [String]) throws {
        let result = try run("/usr/bin/openssl", arguments)
        guard result.status == 0 else { throw Failure("openssl \(arguments.first ?? "") exited \(result.status): \(result.output)") }
    }
}
