import Foundation

/// Where command output goes: results to stdout, notes to stderr.
enum Terminal {
    /// Writes `text` to stdout as is.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes one note line to stderr (`sidecar: ...`), for things beside the result.
    static func note(_ line: String) {
        FileHandle.standardError.write(Data("sidecar: \(line)\n".utf8))
    }
}
