import Hooks
import Testing
import Yams

@testable import Sidecar

/// How sidecar resolves YAML scalars without Yams' regex-based default resolver: exactly as PyYAML, which
/// Patroni reads `patroni.yml` with. Every expected kind below was checked against PyYAML 6.0 (`yaml.safe_load`).
@Suite struct ConfigScalarResolutionTests {
    /// Plain scalars and PyYAML's resolution of each (`Resolver().resolve(ScalarNode, text, (True, False))`).
    static let plainScalars: [(String, ScalarKind)] = [
        ("yes", .bool),
        ("Yes", .bool),
        ("YES", .bool),
        ("no", .bool),
        ("No", .bool),
        ("NO", .bool),
        ("true", .bool),
        ("True", .bool),
        ("TRUE", .bool),
        ("false", .bool),
        ("False", .bool),
        ("FALSE", .bool),
        ("on", .bool),
        ("On", .bool),
        ("ON", .bool),
        ("off", .bool),
        ("Off", .bool),
        ("OFF", .bool),
        ("y", .string),
        ("n", .string),
        ("tRue", .string),
        ("yES", .string),
        ("", .null),
        ("~", .null),
        ("null", .null),
        ("Null", .null),
        ("NULL", .null),
        ("nULL", .string),
        ("none", .string),
        ("None", .string),
        ("0", .int),
        ("-0", .int),
        ("+5", .int),
        ("42", .int),
        ("1_000", .int),
        ("1__", .int),
        ("00", .int),
        ("017", .int),
        ("0_", .int),
        ("09", .string),
        ("0o17", .string),
        ("0b101", .int),
        ("0b", .string),
        ("-0b1_0", .int),
        ("0x1F", .int),
        ("0x_ff", .int),
        ("0xG", .string),
        ("0x", .string),
        ("+0x1f", .int),
        ("1:30", .int),
        ("1:30:15", .int),
        ("1_:30", .int),
        ("1:60", .string),
        ("1:5", .int),
        ("0:30", .string),
        ("1:", .string),
        ("1::3", .string),
        ("190:20:30", .int),
        ("-1:30", .int),
        ("1.5", .float),
        ("1.", .float),
        ("-1.5", .float),
        ("+1.5", .float),
        ("1_000.5", .float),
        ("1.5e+3", .float),
        ("1.5E-3", .float),
        ("1.5e3", .string),
        ("1e3", .string),
        ("1e+3", .string),
        (".5", .float),
        ("._5", .string),
        ("-.5", .string),
        (".5e-1", .float),
        (".e+1", .string),
        (".", .string),
        ("1:30.5", .float),
        ("-1:30.", .float),
        ("1:30.5e+1", .string),
        ("1:90.5", .string),
        (".inf", .float),
        ("-.Inf", .float),
        ("+.INF", .float),
        (".iNf", .string),
        (".nan", .float),
        (".NaN", .float),
        (".NAN", .float),
        ("-.nan", .string),
        ("inf", .string),
        ("nan", .string),
        ("<<", .merge),
        ("<", .string),
        ("<<<", .string),
        ("=", .value),
        ("==", .string),
        ("2001-12-14", .timestamp),
        ("2001-1-2", .string),
        ("2001-12-14t21:59:43.10-05:00", .timestamp),
        ("2001-12-14 21:59:43.10 -5", .timestamp),
        ("2001-12-15T02:59:43.1Z", .timestamp),
        ("2001-12-14 21:59:43", .timestamp),
        ("2001-1-2 3:04:05", .timestamp),
        ("2001-12-14T21:59:43 Z", .timestamp),
        ("2001-12-14T21:59", .string),
        ("2001-12-14 21:59:43 +05:30", .timestamp),
        ("20011-12-14", .string),
        ("hello", .string),
        ("0.0.0.0", .string),
        ("127.0.0.1:5432", .string),
        ("16MB", .string),
        ("10s", .string),
        ("1 2", .string),
        ("+", .string),
        ("-1-2", .string),
        ("512kB", .string),
        ("30min", .string),
        ("8.5.0", .string),
        ("1,000", .string),
    ]

    static let trueWords: Set<String> = ["yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]

    /// The value of `k` in `k: <value>`, composed the way the loader composes.
    static func value(_ yaml: String) throws -> Node {
        let root = try #require(try Yams.compose(yaml: "k: \(yaml)", .basic))
        return try #require(root.mapping?.first?.value)
    }

    @Test(arguments: plainScalars)
    func plainScalarResolvesAsPyYAML(_ text: String, _ kind: ScalarKind) {
        #expect(ScalarKind(plain: text) == kind, "\(text)")
    }

    /// Every plain scalar of the table that YAML allows as a block mapping value (`k: 1:` is a syntax error);
    /// timestamps have their own table below.
    @Test(arguments: plainScalars.filter { !$0.0.hasSuffix(":") && $0.1 != .timestamp })
    func composedPlainValueRendersAsPatroni(_ text: String, _ kind: ScalarKind) throws {
        let expected: ParameterValue =
            switch kind {
            case .bool: .bool(Self.trueWords.contains(text), written: text)
            case .null: .null(written: text)
            case .int, .float: .number(text)
            case .string, .merge, .value, .timestamp: .string(text)
            }
        #expect(ConfigLoader.parameterValue(try Self.value(text)) == expected, "\(text)")
        #expect(ConfigLoader.isNull(try Self.value(text)) == (kind == .null), "\(text)")
    }

    /// A timestamp reaches a hook as Patroni passes it: PyYAML builds a Python `date` or `datetime` and Patroni
    /// writes it with `str()` (expected texts from PyYAML 6.0.3 on this machine). One Python cannot build (an
    /// invalid date, hour 24, an offset of a day), which PyYAML refuses, is passed as written.
    @Test(arguments: [
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.100000-05:00"),
        ("2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.100000-05:00"),
        ("2001-12-15T02:59:43.1Z", "2001-12-15 02:59:43.100000+00:00"),
        ("2001-12-14 21:59:43", "2001-12-14 21:59:43"),
        ("2001-1-2 3:04:05", "2001-01-02 03:04:05"),
        ("2001-12-14T21:59:43 Z", "2001-12-14 21:59:43+00:00"),
        ("2001-12-14 21:59:43 +05:30", "2001-12-14 21:59:43+05:30"),
        ("2024-05-01T12:00:00Z", "2024-05-01 12:00:00+00:00"),
        ("2024-05-01T12:00:00.000Z", "2024-05-01 12:00:00+00:00"),
        ("2024-05-01T12:00:00.1234567+01:00", "2024-05-01 12:00:00.123456+01:00"),
        ("2024-02-29 00:00:00 -0", "2024-02-29 00:00:00+00:00"),
        ("2024-05-01T12:00:00.5-9:30", "2024-05-01 12:00:00.500000-09:30"),
        ("2023-02-29 00:00:00", "2023-02-29 00:00:00"),
        ("2024-13-01 00:00:00", "2024-13-01 00:00:00"),
        ("2024-05-01 24:00:00", "2024-05-01 24:00:00"),
        ("2024-05-01T12:00:00+24", "2024-05-01T12:00:00+24"),
    ])
    func timestampRendersAsPatroniPassesIt(_ yaml: String, _ argument: String) throws {
        #expect(ScalarKind(plain: yaml) == .timestamp, "\(yaml)")
        #expect(ConfigLoader.parameterValue(try Self.value(yaml)) == .string(argument), "\(yaml)")
        #expect(ConfigLoader.parameterValue(try Self.value("\"\(yaml)\"")) == .string(yaml), "quoted \(yaml)")
    }

    /// Quoted and block scalars are strings; an explicit tag wins over the text; PyYAML resolves a scalar
    /// with the non-specific tag `!` as if it were plain, even when quoted.
    @Test(arguments: [
        (#""5""#, ParameterValue.string("5")),
        ("'true'", .string("true")),
        (#""~""#, .string("~")),
        ("'null'", .string("null")),
        (#""""#, .string("")),
        ("|\n  5", .string("5")),
        ("!!str 5", .string("5")),
        ("!!str yes", .string("yes")),
        ("!!str 1.5e+3", .string("1.5e+3")),
        ("!!str", .string("")),
        (#"!!int "5""#, .number("5")),
        ("!!float 5", .number("5")),
        (#"!!bool "yes""#, .bool(true, written: "yes")),
        (#"!!null """#, .null(written: "")),
        ("! 5", .number("5")),
        (#"! "5""#, .number("5")),
        ("! yes", .bool(true, written: "yes")),
    ])
    func quotedAndTaggedScalarsKeepTheirTag(_ yaml: String, _ expected: ParameterValue) throws {
        #expect(ConfigLoader.parameterValue(try Self.value(yaml)) == expected, "\(yaml)")
    }

    /// ``ScalarKind`` reads a scalar's stored tag, which Yams resolves lazily and in place. A value's stays
    /// unresolved after composing (empty for a plain scalar, `str` for a quoted one, the explicit tag as
    /// written); a key's is resolved by Yams' duplicate-key check. If a Yams upgrade changes this, explicit
    /// `!!str` values would read as plain ones: this test says so first.
    @Test func storedTagOfAComposedValueIsTheRawOne() throws {
        let root = try #require(try Yams.compose(yaml: "a: 5\nb: !!str 5\nc: '5'\n", .basic))
        let pairs = try #require(root.mapping).map { ($0.key.scalar, $0.value.scalar) }
        #expect(pairs.map { $0.0?.tag.description } == [Tag.Name.str.rawValue, Tag.Name.str.rawValue, Tag.Name.str.rawValue])
        #expect(pairs.map { $0.1?.tag.description } == ["", Tag.Name.str.rawValue, Tag.Name.str.rawValue])
    }

    /// Merged entries come in PyYAML's dict order: a key where it first occurs, with its last value.
    @Test func mergeKeysMergeAndQuotedOnesDoNot() throws {
        let yaml = """
            base: &base {a: 1, b: 2}
            more: &more {c: 3, a: 7}
            plain: {<<: *base, b: 9}
            list: {<<: [*base, *more]}
            own: {a: 5, z: 0, <<: *base}
            tagged: {!!merge "<<": *more}
            quoted: {"<<": *more}
            """
        let root = try #require(try Yams.compose(yaml: yaml, .basic))
        let top = ConfigLoader.entries(of: try #require(root.mapping))
        func keys(_ name: String) throws -> [String] {
            let node = try #require(top.first { $0.key == name }?.value.mapping)
            return ConfigLoader.entries(of: node).map(\.key)
        }
        #expect(try keys("plain") == ["a", "b"])
        #expect(ConfigLoader.parameterValue(try #require(top.first { $0.key == "plain" }?.value)).json == #"{"a":1,"b":9}"#)
        #expect(ConfigLoader.parameterValue(try #require(top.first { $0.key == "list" }?.value)).json == #"{"c":3,"a":1,"b":2}"#)
        #expect(ConfigLoader.parameterValue(try #require(top.first { $0.key == "own" }?.value)).json == #"{"a":5,"b":2,"z":0}"#)
        #expect(try keys("tagged") == ["c", "a"])
        #expect(try keys("quoted") == ["<<"])
    }
}
