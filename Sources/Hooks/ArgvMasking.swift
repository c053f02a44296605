import Foundation

/// Hides secrets in an argv before it is recorded or logged (SPEC §7): the value of a `--<name>=<value>`
/// whose name contains `password`, `secret`, `token` or `key` becomes `******`, and so does every
/// `password=` value inside a key=value connstring and the password of a `postgres://user:password@` URI.
public enum ArgvMasking {
    /// What replaces a hidden value.
    public static let mask = "******"

    /// Words in a parameter name that mark its value as secret (compared case-insensitively).
    public static let secretNameWords = ["password", "secret", "token", "key"]

    /// `argv` with every secret replaced by ``mask``. Pure; never throws.
    public static func masked(_ argv: [String]) -> [String] {
        argv.map(maskedElement)
    }

    /// Whether a parameter named `name` holds a secret.
    public static func isSecretName(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return secretNameWords.contains { lowered.contains($0) }
    }

    private static func maskedElement(_ element: String) -> String {
        if element.hasPrefix("--"), let equals = element.firstIndex(of: "=") {
            let name = element[element.index(element.startIndex, offsetBy: 2)..<equals]
            if isSecretName(String(name)) {
                return element[...equals] + mask
            }
        }
        return maskedURIPassword(maskedConnstringPasswords(element))
    }

    /// Replaces the value of every `password=` keyword (quoted or not) in a key=value connstring.
    static func maskedConnstringPasswords(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let keyword = Array("password".unicodeScalars)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let atWordStart = index == 0 || !isKeywordScalar(scalars[index - 1])
            if atWordStart, let valueStart = passwordValueStart(scalars, at: index, keyword: keyword) {
                out.append(contentsOf: scalars[index..<valueStart])
                out.append(contentsOf: mask.unicodeScalars)
                index = valueEnd(scalars, from: valueStart)
                continue
            }
            out.append(scalars[index])
            index += 1
        }
        return String(out)
    }

    /// If `password` followed by optional spaces and `=` (and optional spaces) starts at `index`, where its value starts.
    private static func passwordValueStart(_ scalars: [Unicode.Scalar], at index: Int, keyword: [Unicode.Scalar]) -> Int? {
        guard index + keyword.count <= scalars.count else { return nil }
        for offset in 0..<keyword.count where scalars[index + offset].properties.lowercaseMapping != String(keyword[offset]) {
            return nil
        }
        var cursor = index + keyword.count
        while cursor < scalars.count, scalars[cursor] == " " { cursor += 1 }
        guard cursor < scalars.count, scalars[cursor] == "=" else { return nil }
        cursor += 1
        while cursor < scalars.count, scalars[cursor] == " " { cursor += 1 }
        return cursor
    }

    /// The end of a connstring value starting at `start`: a quoted value up to its closing quote, else up to a space.
    private static func valueEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var cursor = start
        if cursor < scalars.count, scalars[cursor] == "'" {
            cursor += 1
            while cursor < scalars.count {
                if scalars[cursor] == "\\" {
                    cursor += 2
                    continue
                }
                if scalars[cursor] == "'" { return cursor + 1 }
                cursor += 1
            }
            return scalars.count
        }
        while cursor < scalars.count, scalars[cursor] != " " {
            if scalars[cursor] == "\\" { cursor += 1 }
            cursor += 1
        }
        return min(cursor, scalars.count)
    }

    private static func isKeywordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
    }

    /// Replaces the password of a `scheme://user:password@host` URI.
    static func maskedURIPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let authorityStart = scheme.upperBound
        let rest = text[authorityStart...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = text[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<authority.index(after: colon)]) + mask + String(text[at...])
    }
}
