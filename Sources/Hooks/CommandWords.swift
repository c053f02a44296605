/// Splits a hook's `command` into words the way a POSIX shell splits words, with no expansion of any kind.
///
/// Quoting follows the shell: inside single quotes every character is literal; inside double quotes a
/// backslash escapes only `$`, `` ` ``, `"`, `\` and a newline (a backslash-newline pair disappears);
/// outside quotes a backslash makes the next character literal (a backslash-newline pair disappears).
/// Spaces, tabs and newlines outside quotes separate words; `''` and `""` make an empty word. Nothing is
/// expanded: `$HOME`, `~`, `*`, `#`, `;`, `|` and `>` are ordinary characters of the word they are in.
public enum CommandWords {
    /// The words of `command`. Throws ``HookError`` `.badCommand` for an unbalanced quote, a trailing
    /// backslash, or a command with no words at all.
    public static func split(_ command: String) throws(HookError) -> [String] {
        var splitter = Splitter()
        for character in command.unicodeScalars {
            splitter.consume(character)
        }
        return try splitter.finish(command)
    }
}

/// The state machine behind ``CommandWords/split(_:)``.
private struct Splitter {
    private enum State {
        case between
        case word
        case escaped
        case singleQuoted
        case doubleQuoted
        case doubleQuotedEscaped
    }

    private var state = State.between
    private var current = String.UnicodeScalarView()
    /// True once the current word exists, even if it is empty (`''`).
    private var inWord = false
    private var words: [String] = []

    mutating func consume(_ scalar: Unicode.Scalar) {
        switch state {
        case .between, .word:
            switch scalar {
            case " ", "\t", "\n":
                endWord()
            case "'":
                inWord = true
                state = .singleQuoted
            case "\"":
                inWord = true
                state = .doubleQuoted
            case "\\":
                state = .escaped
            default:
                inWord = true
                current.append(scalar)
                state = .word
            }
        case .escaped:
            if scalar != "\n" {
                current.append(scalar)
                inWord = true
            }
            state = inWord ? .word : .between
        case .singleQuoted:
            if scalar == "'" {
                state = .word
            } else {
                current.append(scalar)
            }
        case .doubleQuoted:
            switch scalar {
            case "\"": state = .word
            case "\\": state = .doubleQuotedEscaped
            default: current.append(scalar)
            }
        case .doubleQuotedEscaped:
            switch scalar {
            case "$", "`", "\"", "\\":
                current.append(scalar)
            case "\n":
                break
            default:
                current.append("\\")
                current.append(scalar)
            }
            state = .doubleQuoted
        }
    }

    mutating func finish(_ command: String) throws(HookError) -> [String] {
        switch state {
        case .singleQuoted:
            throw HookError(.badCommand, "command \(quoted(command)) has an unbalanced single quote: close it with '")
        case .doubleQuoted, .doubleQuotedEscaped:
            throw HookError(.badCommand, "command \(quoted(command)) has an unbalanced double quote: close it with \"")
        case .escaped:
            throw HookError(.badCommand, "command \(quoted(command)) ends with a backslash: remove it or write \\\\ for a literal backslash")
        case .between, .word:
            endWord()
        }
        if words.isEmpty {
            throw HookError(.badCommand, "command is empty: name the hook to run, e.g. command: hooks.d/restore")
        }
        return words
    }

    private mutating func endWord() {
        if inWord {
            words.append(String(current))
        }
        current = String.UnicodeScalarView()
        inWord = false
        state = .between
    }

    private func quoted(_ command: String) -> String {
        let oneLine = command.replacingNewlines()
        return "`\(oneLine)`"
    }
}

extension String {
    /// The text with each newline shown as `\n`, so that an error stays on one line.
    func replacingNewlines() -> String {
        var result = ""
        for character in self {
            if character == "\n" || character == "\r\n" {
                result += "\\n"
            } else {
                result.append(character)
            }
        }
        return result
    }
}
