import Foundation

/// One node as published under `/members/<name>`, in Patroni's JSON shape.
///
/// Sidecar writes `conn_url`, `api_url`, `state`, `role`, `version` and `tags`; it reads Patroni's own member
/// records too (`role: master` is read as a primary). Unknown fields are ignored on read.
public struct Member: Sendable, Equatable {
    /// Patroni's `state` strings that sidecar publishes.
    public enum State {
        public static let creatingReplica = "creating replica"
        public static let runningCustomBootstrap = "running custom bootstrap script"
        public static let startingAfterCustomBootstrap = "starting after custom bootstrap"
        public static let initializingNewCluster = "initializing new cluster"
        public static let starting = "starting"
        public static let running = "running"
        public static let stopped = "stopped"
        public static let bootstrapFailed = "custom bootstrap failed"
        public static let replicaFailed = "creating replica failed"
    }

    public var name: String
    /// `postgres://host:port/postgres`.
    public var connURL: String
    public var apiURL: String?
    public var state: String
    /// `primary`, `replica` or `uninitialized` (Patroni's older `master` reads as `primary`).
    public var role: String
    public var version: String?
    public var clonefrom: Bool
    public var nofailover: Bool
    /// Every tag as published (JSON-compatible scalars), including `clonefrom` and `nofailover`.
    public var tags: [String: String]

    public init(
        name: String,
        connURL: String,
        apiURL: String? = nil,
        state: String,
        role: String,
        version: String? = nil,
        clonefrom: Bool = false,
        nofailover: Bool = false,
        tags: [String: String] = [:]
    ) {
        self.name = name
        self.connURL = connURL
        self.apiURL = apiURL
        self.state = state
        self.role = role
        self.version = version
        self.clonefrom = clonefrom
        self.nofailover = nofailover
        self.tags = tags
    }

    /// Whether the record says the node runs (Patroni's `state: running`).
    public var isRunning: Bool { state == State.running }
    /// Whether the record says the node is a primary (`primary` or Patroni's older `master`).
    public var isPrimary: Bool { role == "primary" || role == "master" }

    /// Host and port parsed from `conn_url`, if it has them.
    public var hostAndPort: (host: String, port: Int)? {
        guard let url = URLComponents(string: connURL), let host = url.host else { return nil }
        return (host, url.port ?? 5432)
    }

    /// Compact JSON, as Patroni writes it, keys sorted, `/` not escaped. The object is assembled here and only its
    /// strings go through `JSONSerialization`: its `.sortedKeys` compares keys with an ICU collator, which maps
    /// megabytes of ICU into the daemon.
    public func json() -> String {
        var fields = ["conn_url": Self.quoted(connURL), "state": Self.quoted(state), "role": Self.quoted(role)]
        if let apiURL { fields["api_url"] = Self.quoted(apiURL) }
        if let version { fields["version"] = Self.quoted(version) }
        var tagFields = tags.mapValues(Self.quoted)
        if clonefrom { tagFields["clonefrom"] = "true" }
        if nofailover { tagFields["nofailover"] = "true" }
        if !tagFields.isEmpty { fields["tags"] = Self.object(tagFields) }
        return Self.object(fields)
    }

    /// `{"key":value,...}` from already encoded values, keys in code point order.
    private static func object(_ fields: [String: String]) -> String {
        "{" + fields.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + $0.value }.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string literal.
    private static func quoted(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    /// Parses a member value written by sidecar or by Patroni; `nil` if it is not a JSON object.
    public static func parse(name: String, json: String) -> Member? {
        guard let data = json.data(using: .utf8),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return nil }
        var tags: [String: String] = [:]
        var clonefrom = false
        var nofailover = false
        if let rawTags = object["tags"] as? [String: Any] {
            for (key, value) in rawTags {
                tags[key] = "\(value)"
                if key == "clonefrom" { clonefrom = truthy(value) }
                if key == "nofailover" { nofailover = truthy(value) }
            }
        }
        return Member(
            name: name,
            connURL: object["conn_url"] as? String ?? "",
            apiURL: object["api_url"] as? String,
            state: object["state"] as? String ?? "",
            role: object["role"] as? String ?? "",
            version: object["version"] as? String,
            clonefrom: clonefrom,
            nofailover: nofailover,
            tags: tags.filter { $0.key != "clonefrom" && $0.key != "nofailover" }
        )
    }

    private static func truthy(_ value: Any) -> Bool {
        if let bool = value as? Bool { return bool }
        if let number = value as? NSNumber { return number.intValue != 0 }
        if let string = value as? String { return ["true", "yes", "on", "1"].contains(string.lowercased()) }
        return false
    }
}
