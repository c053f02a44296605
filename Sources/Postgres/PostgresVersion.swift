import Foundation

/// A PostgreSQL major version as written in a data dir's `PG_VERSION` (`9.6`, `11`, `15`).
public struct PostgresVersion: Sendable, Comparable, CustomStringConvertible {
    public var major: Int
    /// The second number of pre-10 versions (`9.6` → 6); 0 from 10 on.
    public var minor: Int

    public init(major: Int, minor: Int = 0) {
        self.major = major
        self.minor = minor
    }

    /// Parses the text of `PG_VERSION`. Throws ``PostgresError`` with code `parse`.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let major = Int(parts[0]), major > 0, let minor = parts.count == 2 ? Int(parts[1]) : 0
        else {
            throw PostgresError(.parse, "PG_VERSION contains '\(trimmed)', not a PostgreSQL major version; the data dir may be damaged")
        }
        self.init(major: major, minor: minor)
    }

    /// From 12 on, recovery is requested by `standby.signal` / `recovery.signal` and settings live in the configuration.
    public var usesSignalFiles: Bool { major >= 12 }

    /// `pg_wal` from 10 on, `pg_xlog` before.
    public var walDirectoryName: String { major >= 10 ? "pg_wal" : "pg_xlog" }

    public static func < (lhs: PostgresVersion, rhs: PostgresVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    public var description: String { major >= 10 ? "\(major)" : "\(major).\(minor)" }
}
