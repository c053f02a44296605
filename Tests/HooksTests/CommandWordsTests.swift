import Testing

@testable import Hooks

@Suite struct CommandWordsTests {
    static let cases: [(String, [String])] = [
        ("restore", ["restore"]),
        ("  restore   --a  b\t c\n d ", ["restore", "--a", "b", "c", "d"]),
        ("cmd 'two words'", ["cmd", "two words"]),
        ("cmd \"two words\"", ["cmd", "two words"]),
        ("cmd a'b c'd", ["cmd", "ab cd"]),
        ("cmd '' \"\"", ["cmd", "", ""]),
        ("cmd 'it'\\''s'", ["cmd", "it's"]),
        ("cmd \"say \\\"hi\\\"\"", ["cmd", "say \"hi\""]),
        ("cmd \"a\\b\"", ["cmd", "a\\b"]),
        ("cmd \"\\$HOME \\\\ \\`\"", ["cmd", "$HOME \\ `"]),
        ("cmd 'a\\b'", ["cmd", "a\\b"]),
        ("cmd a\\ b", ["cmd", "a b"]),
        ("cmd \\'x\\'", ["cmd", "'x'"]),
        ("cmd a\\\nb", ["cmd", "ab"]),
        ("cmd \"a\\\nb\"", ["cmd", "ab"]),
        ("cmd 'a\nb'", ["cmd", "a\nb"]),
        ("cmd $HOME ~ *.sql", ["cmd", "$HOME", "~", "*.sql"]),
        ("cmd a;b | c > d && e # f", ["cmd", "a;b", "|", "c", ">", "d", "&&", "e", "#", "f"]),
        ("cmd `date` $(id)", ["cmd", "`date`", "$(id)"]),
        ("cmd żółw 'naïve café' 日本", ["cmd", "żółw", "naïve café", "日本"]),
        ("/opt/hooks/restore --stanza=main", ["/opt/hooks/restore", "--stanza=main"]),
    ]

    @Test(arguments: cases)
    func splitsLikeAShellWithoutExpansion(command: String, words: [String]) throws {
        #expect(try CommandWords.split(command) == words)
    }

    static let bad: [(String, String)] = [
        ("cmd 'open", "single quote"),
        ("cmd \"open", "double quote"),
        ("cmd \"open\\\"", "double quote"),
        ("cmd trailing\\", "backslash"),
        ("", "empty"),
        (" \t\n ", "empty"),
    ]

    @Test(arguments: bad)
    func rejectsUnbalancedQuotesAndTrailingBackslash(command: String, word: String) {
        #expect {
            try CommandWords.split(command)
        } throws: { error in
            guard let error = error as? HookError else { return false }
            return error.code == .badCommand && error.message.contains(word) && !error.message.contains("\n")
        }
    }
}
