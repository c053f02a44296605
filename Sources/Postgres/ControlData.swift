import Foundation

/// What `pg_controldata` reports about a data dir (the fields sidecar uses, and all of them by label).
public struct ControlData: Sendable, Equatable {
    /// `Database system identifier`, as the decimal text PostgreSQL prints (a 64-bit number; kept as text for the DCS).
    public var systemIdentifier: String
    /// `Database cluster state`, e.g. `in production`, `shut down`, `in archive recovery`.
    public var clusterState: String
    /// `pg_control version number`, e.g. 1300 for PostgreSQL 15.
    public var controlVersion: Int
    /// `Latest checkpoint's TimeLineID`.
    public var timeline: Int?
    /// Every `label: value` line, by label.
    public var fields: [String: String]

    /// Parses `pg_controldata` output produced with `LC_ALL=C`. Throws ``PostgresError`` `parse` when the system
    /// identifier, cluster state or control version is missing or malformed.
    public init(parsing text: String) throws {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let label = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            fields[label] = value
        }
        guard let identifier = fields["Database system identifier"], !identifier.isEmpty, identifier.allSatisfy(\.isNumber),
            let state = fields["Database cluster state"], !state.isEmpty,
            let version = fields["pg_control version number"].flatMap({ Int($0) })
        else {
            throw PostgresError(.parse, "pg_controldata printed no system identifier, cluster state or version; is this a PostgreSQL data dir?")
        }
        self.systemIdentifier = identifier
        self.clusterState = state
        self.controlVersion = version
        self.timeline = fields["Latest checkpoint's TimeLineID"].flatMap { Int($0) }
        self.fields = fields
    }

    /// The cluster was shut down cleanly (`shut down`, or `shut down in recovery` for a standby).
    public var isShutDown: Bool { clusterState == "shut down" || clusterState == "shut down in recovery" }
}
