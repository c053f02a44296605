import Foundation

extension DataDirectory {
    /// Marks the temporary trust line of SPEC §4.5 so it can be found and removed.
    public static let temporaryTrustMarker = "# sidecar: temporary trust during bootstrap"

    /// Appends `bootstrap.pg_hba` lines to `pg_hba.conf` after a comment naming sidecar. Throws ``PostgresError`` `io`.
    public func appendHBA(_ lines: [String]) throws {
        guard !lines.isEmpty else { return }
        var text = try AtomicFile.read(file("pg_hba.conf")) ?? ""
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += "# Added by sidecar from bootstrap.pg_hba\n" + lines.map { $0 + "\n" }.joined()
        try AtomicFile.write(text, to: file("pg_hba.conf"))
    }

    /// Puts `local all "<user>" trust` first in `pg_hba.conf`, marked with ``temporaryTrustMarker`` (SPEC §4.5).
    ///
    /// Only local-socket connections of that one role are trusted. Call ``removeTemporaryLocalTrust()`` and reload after.
    public func addTemporaryLocalTrust(user: String) throws {
        let text = try AtomicFile.read(file("pg_hba.conf")) ?? ""
        let quotedUser = "\"" + user.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let line = "local all \(quotedUser) trust \(Self.temporaryTrustMarker)\n"
        try AtomicFile.write(line + text, to: file("pg_hba.conf"))
    }

    /// Removes every line marked with ``temporaryTrustMarker``; a file without one is left as it is.
    public func removeTemporaryLocalTrust() throws {
        guard let text = try AtomicFile.read(file("pg_hba.conf")) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.filter { !$0.hasSuffix(Self.temporaryTrustMarker) }
        if kept.count != lines.count {
            try AtomicFile.write(kept.joined(separator: "\n"), to: file("pg_hba.conf"))
        }
    }
}
