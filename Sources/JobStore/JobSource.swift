/// Who asked for a job: the daemon's own cycle, the command line, or the HTTP API.
public enum JobSource: String, Sendable, Codable, CaseIterable {
    case auto
    case cli
    case http
}
