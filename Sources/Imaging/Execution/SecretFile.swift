import Foundation

/// Temporary files for secrets: created 0600 in the state dir, never world-readable, removed by the caller.
enum SecretFile {
    /// Writes `text` to a new 0600 file in `directory`; returns its path. Throws when it cannot.
    static func write(_ text: String, directory: String, prefix: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var template = Array("\(directory)/.\(prefix).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ImagingError("could not create a temporary file in \(directory)") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        guard written == bytes.count else {
            unlink(path)
            throw ImagingError("could not write a temporary file in \(directory)")
        }
        return path
    }
}
