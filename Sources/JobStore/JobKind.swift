/// What a job does (SPEC §7): `image` decides per SPEC §3, `bootstrap` and `replica` are explicit.
public enum JobKind: String, Sendable, Codable, CaseIterable {
    case image
    case bootstrap
    case replica
}
