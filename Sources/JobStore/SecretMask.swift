/// Hides secret values before anything is stored or logged (SPEC §7).
///
/// - an argument `--<name>=<value>` (or `<name>=<value>`) whose name contains `password`, `secret`, `token` or
///   `key` (any case) reads `--<name>=******`; so does the value after a lone `--<name>` argument;
/// - inside any text: `password=...` in a key=value connstring (quoted values too), `PGPASSWORD=...` style
///   assignments, and the password of a `scheme://user:password@host` URI.
///
/// Masking is deliberately greedy: a harmless value whose name contains `key` is hidden too.
public enum SecretMask {
    /// What a secret value is replaced with.
    public static let mask = "******"

    /// The words that make a parameter name secret.
    public static let secretWords = ["password", "secret", "token", "key"]

    /// Whether a parameter named `name` holds a secret (`--pg-password`, `api_token`, `sslkey`, ...).
    public static func isSecretName(_ name: String) -> Bool {
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else {
            // Unicode case folding can make a secret word of other letters (U+212A KELVIN SIGN lowers to `k`).
            let lowered = name.lowercased().utf8
            return secretWordBytes.contains { containsBytes(lowered, $0) }
        }
        return isSecretASCIIName(name.utf8[...])
    }

    /// The same for an ASCII name, case folded byte by byte as it compares (no lowercased copy: this runs for every
    /// argument of every attempt).
    private static func isSecretASCIIName(_ name: Substring.UTF8View) -> Bool {
        secretWordBytes.contains { word in
            guard name.count >= word.count else { return false }
            var start = name.startIndex
            while name.distance(from: start, to: name.endIndex) >= word.count {
                var matches = true
                var index = start
                for byte in word {
                    let folded = name[index] >= 0x41 && name[index] <= 0x5a ? name[index] | 0x20 : name[index]
                    if folded != byte {
                        matches = false
                        break
                    }
                    index = name.index(after: index)
                }
                if matches { return true }
                start = name.index(after: start)
            }
            return false
        }
    }

    private static let secretWordBytes = secretWords.map { Array($0.utf8) }
    private static let schemeSeparator = Array("://".utf8)

    /// Whether `needle` occurs in `haystack` (a plain byte search: the hot paths run on every attempt and event,
    /// and Foundation's `String.contains` costs a locale-aware search each time).
    private static func containsBytes<Bytes: Collection<UInt8>>(_ haystack: Bytes, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var index = haystack.startIndex
        while let found = haystack[index...].firstIndex(of: first) {
            if haystack[found...].starts(with: needle) { return true }
            index = haystack.index(after: found)
        }
        return false
    }

    /// `argv` with every secret value masked, element by element.
    public static func maskArgv(_ argv: [String]) -> [String] {
        var masked: [String] = []
        masked.reserveCapacity(argv.count)
        var hideNext = false
        for argument in argv {
            if hideNext && !argument.hasPrefix("-") {
                masked.append(mask)
                hideNext = false
                continue
            }
            hideNext = false
            if argument.hasPrefix("-"), !argument.utf8.contains(UInt8(ascii: "=")) {
                hideNext = isSecretName(String(argument.drop { $0 == "-" }))
            }
            masked.append(maskArgument(argument))
        }
        return masked
    }

    /// One argument with its secret value masked: `--password=x` → `--password=******`,
    /// `--connstring=host=a password=x` → `--connstring=host=a password=******`.
    public static func maskArgument(_ argument: String) -> String {
        let bytes = argument.utf8
        if bytes.first == UInt8(ascii: "-"), bytes.allSatisfy({ $0 < 0x80 }), let equals = bytes.firstIndex(of: UInt8(ascii: "=")) {
            // The common case, without a copy: an ASCII argument (so bytes are characters) whose name is not secret
            // and whose value has nothing to mask.
            var nameStart = bytes.startIndex
            while nameStart < equals, bytes[nameStart] == UInt8(ascii: "-") { nameStart = bytes.index(after: nameStart) }
            let value = bytes[bytes.index(after: equals)...]
            if !isSecretASCIIName(Substring(argument).utf8[nameStart..<equals]), !value.contains(UInt8(ascii: "=")),
                !containsBytes(value, schemeSeparator)
            {
                return argument
            }
        }
        if argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") {
            let name = argument[..<equals].drop { $0 == "-" }
            if isSecretName(String(name)) {
                return argument[...equals] + mask
            }
            return argument[...equals] + maskText(String(argument[argument.index(after: equals)...]))
        }
        return maskText(argument)
    }

    /// Free text (a command line, an event, an error, an output line) with secret assignments and URI passwords
    /// masked.
    public static func maskText(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "=")) || containsBytes(text.utf8, schemeSeparator) else { return text }
        return maskURIPasswords(maskAssignments(text))
    }

    /// `name=value` and `name = value` where the name is secret; the value is a quoted string (with `\` escapes)
    /// or runs to the next space, `&`, `;` or `,`.
    private static func maskAssignments(_ text: String) -> String {
        let characters = Array(text)
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            output.append(character)
            index += 1
            guard character == "=" else { continue }
            // The name: the identifier just before '=', skipping spaces.
            var end = index - 2
            while end >= 0, characters[end] == " " { end -= 1 }
            var start = end
            while start >= 0, isNameCharacter(characters[start]) { start -= 1 }
            guard end > start, isSecretName(String(characters[(start + 1)...end])) else { continue }
            // The value.
            var valueStart = index
            while valueStart < characters.count, characters[valueStart] == " " { valueStart += 1 }
            var valueEnd = valueStart
            if valueStart < characters.count, characters[valueStart] == "'" || characters[valueStart] == "\"" {
                let quote = characters[valueStart]
                valueEnd += 1
                while valueEnd < characters.count, characters[valueEnd] != quote {
                    valueEnd += characters[valueEnd] == "\\" ? 2 : 1
                }
                valueEnd = min(valueEnd + 1, characters.count)
            } else {
                while valueEnd < characters.count, !" \t\n&;,".contains(characters[valueEnd]) { valueEnd += 1 }
            }
            guard valueEnd > valueStart else { continue }
            output.append(String(characters[index..<valueStart]))
            output.append(mask)
            index = valueEnd
        }
        return output
    }

    /// `scheme://user:password@host` → `scheme://user:******@host`.
    private static func maskURIPasswords(_ text: String) -> String {
        guard containsBytes(text.utf8, schemeSeparator) else { return text }
        var output = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            output += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { " /\t\n?#".contains($0) } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                output += authority[...colon] + mask + authority[at...]
                rest = rest[authorityEnd...]
            }
        }
        return output + rest
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "-" || character == "."
    }
}
