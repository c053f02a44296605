/// What a data dir holds, checked every cycle (SPEC §2).
public enum DataDirectoryState: String, Sendable, Equatable {
    /// `global/pg_control` and `PG_VERSION` exist.
    case valid
    /// Absent, or only hidden entries and `lost+found`.
    case empty
    /// Neither valid nor empty, and an imaging of this data dir never finished: treated as empty and re-imaged.
    case interrupted
    /// Neither valid nor empty, with no unfinished imaging: sidecar refuses to touch it.
    case foreign

    /// Whether the data dir needs imaging (empty or interrupted).
    public var needsImaging: Bool { self == .empty || self == .interrupted }

    /// What to tell the operator about a foreign data dir.
    public static let foreignAdvice = "data dir is not empty and not a PostgreSQL cluster; run `sidecar reinit`"
}
