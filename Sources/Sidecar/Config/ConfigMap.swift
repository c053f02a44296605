import Yams

/// The entries of one YAML mapping in file order, with lookup by key.
struct ConfigMap {
    /// `(key, value)` in YAML order; keys are the scalars' text.
    let entries: [(key: String, value: Node)]
    /// Key → index of its first entry: `postgresql:` holds a section per replica method, each looked up by name, so
    /// a scan per lookup would make loading a long chain quadratic.
    private let index: [String: Int]

    init(entries: [(key: String, value: Node)]) {
        self.entries = entries
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() where index[entry.key] == nil {
            index[entry.key] = position
        }
        self.index = index
    }

    /// The value of `key` (its first occurrence), `nil` when absent.
    subscript(key: String) -> Node? {
        index[key].map { entries[$0].value }
    }

    var keys: [String] { entries.map(\.key) }
}
