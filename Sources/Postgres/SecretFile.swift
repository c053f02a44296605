import Foundation

/// A temporary mode-0600 file holding a secret (a password file for initdb, SQL with passwords for psql), removed
/// as soon as the work that needs it is done, so the secret never appears on argv.
enum SecretFile {
    /// Writes `contents` to a new 0600 file in `directory` (default: `$TMPDIR` or `/tmp`), runs `body` with its path,
    /// and removes the file whatever happens. Throws ``PostgresError`` `io` when the file cannot be written.
    static func with<R>(
        _ contents: String,
        directory: String? = nil,
        _ body: (String) async throws -> R
    ) async throws -> R {
        let base = directory ?? ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/sidecar-secret-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw AtomicFile.ioError("could not create a temporary file in \(base)") }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let closed = close(fd)
        guard written == bytes.count, closed == 0 else { throw AtomicFile.ioError("could not write \(path)") }
        return try await body(path)
    }
}
