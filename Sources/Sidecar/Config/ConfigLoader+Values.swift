import Hooks
import Yams

/// Typed readers for single values: each returns `nil` when the key is absent or null, and records a
/// problem (and returns `nil`) when the value does not fit.
extension ConfigLoader {
    /// A mapping; a problem when `node` is a list or a scalar. Duplicate keys are problems too.
    mutating func mapping(_ node: Node?, at path: String, fix: String = "write it as a map of key: value") -> ConfigMap? {
        guard let node, !Self.isNull(node) else { return nil }
        guard case .mapping(let mapping) = node else {
            problems.append(ConfigProblem(path, "is a \(Self.kind(node)), expected a map: \(fix)"))
            return nil
        }
        return ConfigMap(entries: Self.entries(of: mapping))
    }

    /// The entries of a mapping with YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`) applied as PyYAML
    /// builds a Python dict from them: ``flattened(_:)``'s pairs, each key where it first occurs, with the value
    /// of its last occurrence (so keys written in the mapping itself win, and `*a` wins over `*b`).
    static func entries(of mapping: Node.Mapping) -> [(key: String, value: Node)] {
        var entries: [(key: String, value: Node)] = []
        var positions: [String: Int] = [:]
        for pair in flattened(mapping) {
            if let index = positions[pair.key] {
                entries[index].value = pair.value
            } else {
                positions[pair.key] = entries.count
                entries.append(pair)
            }
        }
        return entries
    }

    /// PyYAML's `flatten_mapping`: the pairs a merge key brings in (a list of maps in reverse order, each
    /// flattened itself), then the mapping's own pairs; duplicates kept. Yams already refuses duplicate keys.
    static func flattened(_ mapping: Node.Mapping) -> [(key: String, value: Node)] {
        var merged: [(key: String, value: Node)] = []
        var own: [(key: String, value: Node)] = []
        for (key, value) in mapping {
            guard isMergeKey(key) else {
                own.append((key.scalar?.string ?? "\(key)", value))
                continue
            }
            switch value {
            case .mapping(let source): merged += flattened(source)
            case .sequence(let list): merged += list.reversed().compactMap(\.mapping).flatMap(flattened)
            default: break
            }
        }
        return merged + own
    }

    /// Whether a mapping key is YAML's merge key: a plain `<<`, or any scalar tagged `!!merge`. A quoted
    /// `"<<"` is an ordinary key, as in PyYAML. (An explicit `!!str <<` merges too: Yams' duplicate-key check
    /// has already resolved the plain key's tag to `str` in place, so the two read the same.)
    static func isMergeKey(_ key: Node) -> Bool {
        guard case .scalar(let scalar) = key else { return false }
        switch ScalarKind(scalar) {
        case .merge: return true
        case .string: return scalar.style == .plain && scalar.string == "<<"
        default: return false
        }
    }

    /// A scalar's text (numbers and booleans as written); a problem for a list or map.
    mutating func string(_ node: Node?, at path: String) -> String? {
        guard let node, !Self.isNull(node) else { return nil }
        guard let scalar = node.scalar else {
            problems.append(ConfigProblem(path, "is a \(Self.kind(node)), expected a single value: write it as key: value"))
            return nil
        }
        return scalar.string
    }

    /// A whole number (quoted numbers accepted) not below `minimum`.
    mutating func integer(_ node: Node?, at path: String, minimum: Int = 0) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Int(text.trimmingSpaces()) else {
            problems.append(
                ConfigProblem(path, "'\(text)' is not a whole number: write e.g. \(path.split(separator: ".").last ?? ""): \(max(minimum, 1))"))
            return nil
        }
        guard value >= minimum else {
            problems.append(ConfigProblem(path, "\(value) is below \(minimum): use \(minimum) or more"))
            return nil
        }
        return value
    }

    /// A duration: seconds as a number (quoted accepted) or `90s`, `15m`, `2h`, `7d`; at least `minimum`.
    mutating func duration(_ node: Node?, at path: String, minimum: Duration? = nil) -> Duration? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = DurationParser.duration(text) else {
            problems.append(ConfigProblem(path, "'\(text)' is not a duration: write seconds (90) or 90s, 15m, 2h, 7d"))
            return nil
        }
        if let minimum, value < minimum {
            let shown = DurationParser.format(minimum)
            problems.append(ConfigProblem(path, "\(text) is below \(shown): use \(shown) or more"))
            return nil
        }
        return value
    }

    /// A byte count: a number (quoted accepted) or `64k`, `64KiB`, `1M`.
    mutating func byteCount(_ node: Node?, at path: String) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        guard let value = DurationParser.bytes(text) else {
            problems.append(ConfigProblem(path, "'\(text)' is not a size: write bytes (65536) or 64k, 64KiB, 1M"))
            return nil
        }
        return value
    }

    /// A boolean: YAML's `true`/`false`/`yes`/`no`/`on`/`off` (quoted accepted), or 0/1.
    mutating func boolean(_ node: Node?, at path: String) -> Bool? {
        guard let text = string(node, at: path) else { return nil }
        if let value = Self.booleanWord(text) { return value }
        problems.append(ConfigProblem(path, "'\(text)' is not true or false: write true or false"))
        return nil
    }

    /// One of `choices`.
    mutating func choice(_ node: Node?, at path: String, _ choices: [String]) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard choices.contains(text) else {
            problems.append(ConfigProblem(path, "'\(text)' is not one of \(choices.joined(separator: ", ")): use one of them"))
            return nil
        }
        return text
    }

    /// The YAML value as a ``ParameterValue`` (booleans and nulls by YAML 1.1, as Patroni's PyYAML reads them).
    static func parameterValue(_ node: Node) -> ParameterValue {
        switch node {
        case .scalar(let scalar):
            switch ScalarKind(scalar) {
            case .bool: return .bool(booleanWord(scalar.string) ?? false, written: scalar.string)
            case .null: return .null(written: scalar.string)
            case .int, .float: return .number(scalar.string)
            case .timestamp: return .string(PythonTimestamp.render(scalar.string) ?? scalar.string)
            case .string, .merge, .value: return .string(scalar.string)
            }
        case .sequence(let sequence):
            return .list(sequence.map(parameterValue))
        case .mapping(let mapping):
            return .map(entries(of: mapping).map { HookParameter($0.key, parameterValue($0.value)) })
        case .alias:
            return .null(written: "")
        }
    }

    /// The entries of a map as parameters, in YAML order.
    static func parameters(_ map: ConfigMap) -> [HookParameter] {
        map.entries.map { HookParameter($0.key, parameterValue($0.value)) }
    }

    /// `true`/`false` for YAML 1.1 boolean words and `1`/`0`, else `nil`.
    static func booleanWord(_ text: String) -> Bool? {
        switch text.trimmingSpaces() {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "1": true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "0": false
        default: nil
        }
    }

    /// Whether a node is a YAML null (`~`, `null`, empty, or tagged `!!null`).
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return ScalarKind(scalar) == .null
    }

    /// `list`, `map` or `value`, for messages.
    static func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "single value"
        case .sequence: "list"
        case .mapping: "map"
        case .alias: "alias"
        }
    }

    /// `parent.child`, or `child` at the top.
    static func join(_ parent: String, _ child: String) -> String {
        parent.isEmpty ? child : "\(parent).\(child)"
    }
}
