import DCS
import Foundation
import Postgres

/// SPEC §4's clean-up after a bootstrap that will not be published: stop the instance (immediate), delete
/// `initialize` and the leader key when they are this node's, move the data dir aside. ``run(jobID:systemIdentifier:)``
/// is a failing ``BootstrapPipeline``'s; ``abandon(jobID:record:)`` is for a complete cluster whose job ended
/// without publishing it (cancelled, failed). Never throws: each step is an event on the job.
struct BootstrapCleanup: Sendable {
    var context: ImagingContext
    var instance: LocalInstance

    private var configuration: ImagingConfiguration { context.configuration }

    /// Cleans up after job `jobID`'s failed bootstrap; `systemIdentifier` is the cluster's when it was complete (an
    /// `initialize` holding it is this node's too).
    func run(jobID: Int64, systemIdentifier: String?) async {
        await stopInstance(jobID)
        _ = await releaseKeys(jobID, systemIdentifier: systemIdentifier)
        moveAside(jobID)
        CompletedBootstrap.remove(stateDirectory: configuration.stateDirectory)
        markFailed()
    }

    /// Cleans up after a complete cluster whose job ended unpublished. The keys go first: while the DCS cannot be
    /// reached the cluster stays (stopped) with its record, and the next cycle's crash recovery tries again, so
    /// `initialize` is never left held by a node that publishes nothing. Returns whether it is done.
    @discardableResult
    func abandon(jobID: Int64, record: CompletedBootstrap) async -> Bool {
        // The data dir may hold something else by now (removed by hand, re-imaged by a later job): then only the keys
        // and the record are this clean-up's business.
        let stillThere = (try? await instance.systemIdentifier()) == record.systemIdentifier
        if stillThere { await stopInstance(jobID) }
        guard await releaseKeys(jobID, systemIdentifier: record.systemIdentifier) else {
            context.event(jobID, "the bootstrapped cluster stays (stopped) until initialize can be released; retried every cycle")
            return false
        }
        // Whoever claims the record (the worker or crash recovery) moves the data dir; the other has nothing to do.
        guard CompletedBootstrap.claimForCleanUp(stateDirectory: configuration.stateDirectory), stillThere else { return true }
        moveAside(jobID)
        markFailed()
        return true
    }

    private func stopInstance(_ jobID: Int64) async {
        do {
            if try await instance.isRunning() {
                try await instance.stop(mode: .immediate)
                context.event(jobID, "stopped the instance (immediate)")
            }
        } catch {
            context.event(jobID, "could not stop the instance: \(error)")
        }
    }

    /// Deletes this node's `initialize` (`""` it set, or the system identifier it published — never another
    /// node's) and its leader key; whether the DCS could be read and written.
    private func releaseKeys(_ jobID: Int64, systemIdentifier: String?) async -> Bool {
        do {
            let view = try await context.dcs.cluster()
            let mine =
                (view.initialize == "" && (view.initializeOwner == nil || view.initializeOwner == configuration.name))
                || (view.initialize != nil && view.initialize == systemIdentifier)
            if mine {
                try await context.dcs.cancelInitialize()
                context.event(jobID, "released the initialize key")
            } else if let other = view.initialize {
                context.event(jobID, "initialize ('\(other)', \(view.initializeOwner ?? "no owner")) is not this node's; left alone")
            }
            if view.leader == configuration.name {
                try await context.dcs.releaseLeader()
                context.event(jobID, "released the leader key")
            }
            return true
        } catch {
            context.event(jobID, "could not release the initialize key: \(error)")
            return false
        }
    }

    private func moveAside(_ jobID: Int64) {
        do {
            let directory = DataDirectory(path: configuration.postgres.dataDirectory)
            switch try directory.moveAside(keepFailed: configuration.keepFailed, stateDirectory: configuration.stateDirectory) {
            case .moved(let path): context.event(jobID, "moved the data dir aside to \(path)")
            case .wiped(let reason): context.event(jobID, "wiped the data dir (\(reason))")
            case .absent: break
            }
        } catch {
            context.event(jobID, "could not move the data dir aside: \(error)")
        }
    }

    private func markFailed() {
        context.status.update {
            $0.instance = .stopped
            $0.memberState = Member.State.bootstrapFailed
        }
    }
}
