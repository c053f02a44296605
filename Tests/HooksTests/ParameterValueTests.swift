import Testing

@testable import Hooks

@Suite struct ParameterValueTests {
    static let rendering: [(ParameterValue, String)] = [
        (.bool(true, written: "true"), "True"),
        (.bool(true, written: "yes"), "True"),
        (.bool(false, written: "off"), "False"),
        (.null(written: "~"), "None"),
        (.null(written: ""), "None"),
        (.number("1"), "1"),
        (.number("007"), "007"),
        (.number("1.50"), "1.50"),
        (.number("0x1F"), "0x1F"),
        (.string("true"), "true"),
        (.string("a b 'c' \"d\" $e; f\ng"), "a b 'c' \"d\" $e; f\ng"),
        (.string("żółw"), "żółw"),
        (.string(""), ""),
        (.list([.string("a"), .number("1"), .bool(true, written: "yes"), .null(written: "null")]), "[\"a\",1,true,null]"),
        (
            .map([HookParameter("b", .string("x\"y")), HookParameter("a", .list([])), HookParameter("c", .number("0x1F"))]),
            "{\"b\":\"x\\\"y\",\"a\":[],\"c\":\"0x1F\"}"
        ),
        (.list([.string("tab\there\u{01}"), .string("ü")]), "[\"tab\\there\\u0001\",\"ü\"]"),
    ]

    @Test(arguments: rendering)
    func rendersLikePatroni(value: ParameterValue, text: String) {
        #expect(value.rendered == text)
    }

    static let truthiness: [(ParameterValue, Bool)] = [
        (.bool(true, written: "true"), true),
        (.bool(false, written: "false"), false),
        (.null(written: "~"), false),
        (.number("0"), false),
        (.number("0.0"), false),
        (.number("-0"), false),
        (.number("0x0"), false),
        (.number("1"), true),
        (.number("0.5"), true),
        (.string(""), false),
        (.string("false"), true),
        (.string("0"), true),
        (.list([]), false),
        (.list([.null(written: "")]), true),
        (.map([]), false),
    ]

    @Test(arguments: truthiness)
    func truthinessIsPythons(value: ParameterValue, truthy: Bool) {
        #expect(value.isTruthy == truthy)
    }

    @Test func jsonNumbersAreRecognised() {
        for text in ["0", "-1", "1.5", "1e5", "1.5E-3", "-0.0"] {
            #expect(JSONText.isNumber(text), "\(text)")
        }
        for text in ["", "+1", "01", "1.", ".5", "1e", "0x1", "1_000", ".inf", "-"] {
            #expect(!JSONText.isNumber(text), "\(text)")
        }
    }
}
