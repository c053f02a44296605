import Foundation
import JobStore
import TestSupport

/// A job database in a scratch state dir, with two owners and a fixed clock start.
struct StoreFixture {
    let scratch: ScratchDirectory
    let database: JobDatabase
    let history: AuditHistory
    /// A fixed "now" so tests move time by adding to it.
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static let ownerA = JobOwner(host: "host-a", bootID: "boot-a", pid: 100, startTime: 1000)
    static let ownerB = JobOwner(host: "host-b", bootID: "boot-b", pid: 200, startTime: 2000)

    init() throws {
        scratch = try ScratchDirectory("jobstore")
        database = try JobDatabase(stateDirectory: scratch.file("state"))
        history = AuditHistory(database: database)
    }

    func queue(_ owner: JobOwner = ownerA, lease: Duration = .seconds(30)) -> JobQueue {
        JobQueue(database: database, owner: owner, leaseDuration: lease)
    }

    func request(_ dataDirectory: String = "/data/pg", kind: JobKind = .image) -> JobRequest {
        JobRequest(kind: kind, source: .auto, scope: "demo", dataDirectory: dataDirectory)
    }

    func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    func remove() { scratch.remove() }
}
