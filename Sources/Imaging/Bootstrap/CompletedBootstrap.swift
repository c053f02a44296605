import Foundation

/// The record that a bootstrap job's new cluster is complete (method, recovery, roles, `post_bootstrap` done) and
/// only its publication in the DCS (`initialize`, `/config`, leader, member) remains. Kept in
/// `<state_dir>/bootstrap-complete.json`, written durably before publishing starts.
///
/// Without it, a bootstrap stopped while it waits out an unreachable DCS, or killed while publishing, looks like any
/// interrupted bootstrap, whose data dir goes aside (SPEC §4). With it, the daemon's next pass of the same job
/// publishes the cluster it already has, and crash recovery leaves it in place (SPEC §8: an unreachable DCS is never
/// a reason to discard data). A record of another job, or of another data dir, means nothing and is ignored.
struct CompletedBootstrap: Codable, Sendable, Equatable {
    var jobID: Int64
    var dataDirectory: String
    var systemIdentifier: String

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case dataDirectory = "data_dir"
        case systemIdentifier = "system_identifier"
    }

    static func path(stateDirectory: String) -> String { stateDirectory + "/bootstrap-complete.json" }

    /// The record for `jobID` and `dataDirectory`, if one was written; `nil` for none, another job's or unreadable.
    static func read(stateDirectory: String, jobID: Int64, dataDirectory: String) -> CompletedBootstrap? {
        guard let data = FileManager.default.contents(atPath: path(stateDirectory: stateDirectory)),
            let record = try? JSONDecoder().decode(CompletedBootstrap.self, from: data),
            record.jobID == jobID, record.dataDirectory == dataDirectory, !record.systemIdentifier.isEmpty
        else { return nil }
        return record
    }

    /// Writes the record durably (a temporary file synced, renamed over the old one, the directory synced). Throws
    /// `CocoaError`/`POSIXError` when the state dir cannot be written.
    func write(stateDirectory: String) throws {
        let final = Self.path(stateDirectory: stateDirectory)
        let temporary = final + ".tmp"
        let data = try JSONEncoder().encode(self)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0, rename(temporary, final) == 0 else {
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        let directory = open(stateDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// Deletes the record (done once its job has ended, either way).
    static func remove(stateDirectory: String) {
        unlink(path(stateDirectory: stateDirectory))
    }
}
