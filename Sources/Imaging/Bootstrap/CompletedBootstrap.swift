import Foundation
import JobStore

/// The record that a bootstrap job's new cluster is complete (method, recovery, roles, `post_bootstrap` done) and
/// only its publication in the DCS (`initialize`, `/config`, leader, member) remains. Kept in
/// `<state_dir>/bootstrap-complete.json`, written durably before publishing starts.
///
/// Without it, a bootstrap stopped while it waits out an unreachable DCS, or killed while publishing, looks like any
/// interrupted bootstrap, whose data dir goes aside (SPEC §4). With it, the daemon's next pass of the same job
/// publishes the cluster it already has, and crash recovery leaves it in place (SPEC §8: an unreachable DCS is never
/// a reason to discard data). The record names its job by id, creation time and kind (ids can be reused after
/// `jobs prune`), and its data dir; it goes when the job ends: removed after a success, and after a failure or a
/// cancel the cluster is abandoned as SPEC §4 says (``abandon(context:instance:)``), so `initialize` is never left
/// held by a cluster nobody will publish.
struct CompletedBootstrap: Codable, Sendable, Equatable {
    var jobID: Int64
    /// The job's `created_at` in milliseconds.
    var jobCreatedAt: Int64
    var jobKind: String
    var dataDirectory: String
    var systemIdentifier: String

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case jobCreatedAt = "job_created_at"
        case jobKind = "job_kind"
        case dataDirectory = "data_dir"
        case systemIdentifier = "system_identifier"
    }

    init(job: Job, systemIdentifier: String) {
        jobID = job.id
        jobCreatedAt = Self.milliseconds(job.createdAt)
        jobKind = job.kind.rawValue
        dataDirectory = job.dataDirectory
        self.systemIdentifier = systemIdentifier
    }

    /// Whether the record is `job`'s (same id, creation time, kind and data dir).
    func belongs(to job: Job) -> Bool {
        jobID == job.id && jobCreatedAt == Self.milliseconds(job.createdAt) && jobKind == job.kind.rawValue && dataDirectory == job.dataDirectory
    }

    private static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func path(stateDirectory: String) -> String { stateDirectory + "/bootstrap-complete.json" }

    /// The record in the state dir, whoever's it is; `nil` when there is none or it cannot be read.
    static func current(stateDirectory: String) -> CompletedBootstrap? {
        guard let data = FileManager.default.contents(atPath: path(stateDirectory: stateDirectory)),
            let record = try? JSONDecoder().decode(CompletedBootstrap.self, from: data), !record.systemIdentifier.isEmpty
        else { return nil }
        return record
    }

    /// `job`'s record, if one was written for it.
    static func read(stateDirectory: String, job: Job) -> CompletedBootstrap? {
        current(stateDirectory: stateDirectory).flatMap { $0.belongs(to: job) ? $0 : nil }
    }

    /// Writes the record durably (a temporary file synced, renamed over the old one, the directory synced). Throws
    /// `POSIXError` when the state dir cannot be written.
    func write(stateDirectory: String) throws {
        let final = Self.path(stateDirectory: stateDirectory)
        let temporary = final + ".tmp"
        let data = try JSONEncoder().encode(self)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let failure = written == data.count ? (fsync(fd) == 0 ? 0 : errno) : (written < 0 ? errno : EIO)
        close(fd)
        guard failure == 0, rename(temporary, final) == 0 else {
            let code = failure != 0 ? failure : errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        Self.syncDirectory(stateDirectory)
    }

    /// Deletes the record, durably.
    static func remove(stateDirectory: String) {
        guard unlink(path(stateDirectory: stateDirectory)) == 0 else { return }
        syncDirectory(stateDirectory)
    }

    /// Takes the record out of the way for the one caller that will clean up after it (the worker at the job's end,
    /// or crash recovery's sweep, whichever comes first): `true` for that caller only. The record is gone afterwards.
    static func claimForCleanUp(stateDirectory: String) -> Bool {
        let claimed = path(stateDirectory: stateDirectory) + ".cleaning"
        guard rename(path(stateDirectory: stateDirectory), claimed) == 0 else { return false }
        unlink(claimed)
        syncDirectory(stateDirectory)
        return true
    }

    private static func syncDirectory(_ path: String) {
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        fsync(directory)
        close(directory)
    }
}
