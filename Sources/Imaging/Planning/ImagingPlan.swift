import DCS
import Foundation
import Postgres

/// What `sidecar plan` shows: the data dir, the DCS as seen now, the decision the next cycle would take, each method's
/// resolved command and full argv (secrets masked) with the names of its environment variables, and every check that
/// failed. A value built by ``ImagingPlanner``; nothing in it runs anything.
public struct ImagingPlan: Sendable, Equatable {
    /// A check that failed: what it is about (a key path or a thing) and what is wrong, with the fix.
    public struct Problem: Sendable, Equatable {
        public var subject: String
        public var message: String

        public init(_ subject: String, _ message: String) {
            self.subject = subject
            self.message = message
        }
    }

    /// The DCS as one read found it.
    public struct DCSState: Sendable, Equatable {
        public var backend: String
        /// `nil` when the read failed (then ``error`` says why).
        public var view: ClusterView?
        public var error: String?
        public var reachable: Bool { view != nil }
    }

    /// One method sidecar may run, as it would run it.
    public struct Method: Sendable, Equatable {
        /// `bootstrap`, `post_bootstrap` or `replica`.
        public var role: String
        public var name: String
        /// The command as configured (`nil` for the built-in initdb and basebackup).
        public var command: String?
        /// The file argv[0] resolves to, or `nil` when it does not resolve (see ``notRunReason``).
        public var executable: String?
        /// The full argv, secrets masked.
        public var argv: [String]
        /// Names of the variables of its environment (values are never shown).
        public var environment: [String]
        /// Whether the decision runs it in the next pass.
        public var inNextPass: Bool
        /// Why it would not run (its hook does not resolve or is unsafe), `nil` when it can.
        public var notRunReason: String?
    }

    public var scope: String
    public var node: String
    public var dataDirectory: String
    public var dataDirectoryState: DataDirectoryState?
    /// The unfinished imaging job of this data dir, if any: id, kind, state.
    public var unfinishedJob: (id: Int64, kind: String, state: String)?
    public var dcs: DCSState
    /// What the next cycle would do, in one line (the event it would record, or why nothing).
    public var decision: String
    /// The decision's kind: `nothing`, `refused`, `bootstrap`, `clone`, `clone_without_leader`, `wait`.
    public var action: String
    /// The member it would clone from.
    public var cloneSource: String?
    public var methods: [Method]
    public var problems: [Problem]

    public static func == (lhs: ImagingPlan, rhs: ImagingPlan) -> Bool {
        lhs.scope == rhs.scope && lhs.node == rhs.node && lhs.dataDirectory == rhs.dataDirectory
            && lhs.dataDirectoryState == rhs.dataDirectoryState && lhs.unfinishedJob?.id == rhs.unfinishedJob?.id
            && lhs.dcs == rhs.dcs && lhs.decision == rhs.decision && lhs.action == rhs.action && lhs.cloneSource == rhs.cloneSource
            && lhs.methods == rhs.methods && lhs.problems == rhs.problems
    }
}
