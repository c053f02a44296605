/// The `argv` column's JSON text: an array of strings, written without `JSONEncoder` (an attempt is opened for every
/// method a chain runs, and the encoder costs more than the rest of the insert).
enum ArgvJSON {
    /// `argv` as a JSON array of strings: `"` and `\` escaped, control characters as `\u00XX`, the rest as is.
    static func encode(_ argv: [String]) -> String {
        var text = "["
        for (index, argument) in argv.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            // Most arguments need no escape at all: appended whole.
            if !argument.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                text += argument
                text += "\""
                continue
            }
            for scalar in argument.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\t": text += "\\t"
                case "\r": text += "\\r"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: text.unicodeScalars.append(scalar)
                }
            }
            text += "\""
        }
        return text + "]"
    }
}
