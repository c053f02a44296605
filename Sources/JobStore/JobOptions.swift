import Foundation

/// The options a request carried, stored as a small JSON object (`{"from_leader": true}`); unknown keys are ignored.
public struct JobOptions: Sendable, Codable, Equatable {
    /// `sidecar reinit --from-leader`: clone from the leader, with `basebackup` only.
    public var fromLeader: Bool
    /// Re-image even though the data dir looks valid (reinit of a running replica).
    public var force: Bool

    public init(fromLeader: Bool = false, force: Bool = false) {
        self.fromLeader = fromLeader
        self.force = force
    }

    enum CodingKeys: String, CodingKey {
        case fromLeader = "from_leader"
        case force
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fromLeader = try container.decodeIfPresent(Bool.self, forKey: .fromLeader) ?? false
        force = try container.decodeIfPresent(Bool.self, forKey: .force) ?? false
    }

    /// The JSON text stored in the `options` column (keys sorted, only the ones set).
    var json: String {
        var parts: [String] = []
        if force { parts.append("\"force\":true") }
        if fromLeader { parts.append("\"from_leader\":true") }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// Reads the `options` column; a column that is not an object of these keys reads as the defaults.
    init(json: String) {
        // The texts `json` writes are read without a JSON decoder (a job is read back after every queue write).
        for fromLeader in [false, true] {
            for force in [false, true] where JobOptions(fromLeader: fromLeader, force: force).json == json {
                self.init(fromLeader: fromLeader, force: force)
                return
            }
        }
        self = (try? JSONDecoder().decode(JobOptions.self, from: Data(json.utf8))) ?? JobOptions()
    }
}
