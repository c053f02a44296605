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
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else { return isSecretNameInGeneral(name) }
        var name = name
        return name.withUTF8 { isSecretASCIIBytes($0[...]) }
    }

    /// ``isSecretName(_:)`` for any name: Unicode case folding can make a secret word of other letters (U+212A KELVIN
    /// SIGN lowers to `k`).
    static func isSecretNameInGeneral(_ name: String) -> Bool {
        let lowered = name.lowercased().utf8
        return secretWordBytes.contains { containsBytes(lowered, $0) }
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
        if argument.utf8.withContiguousStorageIfAvailable(hasNothingToMask) == true {
            return argument
        }
        return maskArgumentInGeneral(argument)
    }

    /// ``maskArgument(_:)`` without its fast path (tests compare the two on generated arguments).
    static func maskArgumentInGeneral(_ argument: String) -> String {
        if argument.hasPrefix("-"), let equals = argument.firstIndex(of: "=") {
            let name = argument[..<equals].drop { $0 == "-" }
            if isSecretName(String(name)) {
                return argument[...equals] + mask
            }
            return argument[...equals] + maskText(String(argument[argument.index(after: equals)...]))
        }
        return maskText(argument)
    }

    /// The common cases, decided on the bytes without a copy (every argument of every attempt passes here): text
    /// with no `=` and no `://`, and an ASCII `-name=value` (bytes are characters) whose name is not secret and
    /// whose value has no `=` and no `://`. `false` means: not decided here, take the general path.
    private static func hasNothingToMask(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let equals = bytes.firstIndex(of: UInt8(ascii: "="))
        guard let equals else { return !containsBytes(bytes, schemeSeparator) }
        guard bytes[0] == UInt8(ascii: "-") else { return false }
        var nameStart = 0
        while nameStart < equals, bytes[nameStart] == UInt8(ascii: "-") { nameStart += 1 }
        let value = bytes[(equals + 1)...]
        for byte in bytes where byte >= 0x80 { return false }
        return !isSecretASCIIBytes(bytes[nameStart..<equals]) && !value.contains(UInt8(ascii: "=")) && !containsBytes(value, schemeSeparator)
    }

    /// Whether ASCII `name` contains a secret word, case folded byte by byte as it compares (no lowercased copy).
    private static func isSecretASCIIBytes(_ name: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        for word in secretWordBytes where name.count >= word.count {
            var start = name.startIndex
            while start + word.count <= name.endIndex {
                var offset = 0
                while offset < word.count {
                    let byte = name[start + offset]
                    let folded = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
                    if folded != word[offset] { break }
                    offset += 1
                }
                if offset == word.count { return true }
                start += 1
            }
        }
        return false
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
