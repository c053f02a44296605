import Yams

/// The entries of one YAML mapping in file order, with lookup by key.
struct ConfigMap {
    /// `(key, value)` in YAML order; keys are the scalars' text.
    var entries: [(key: String, value: Node)]

    /// The value of `key`, `nil` when absent.
    subscript(key: String) -> Node? {
        entries.first { $0.key == key }?.value
    }

    var keys: [String] { entries.map(\.key) }
}
