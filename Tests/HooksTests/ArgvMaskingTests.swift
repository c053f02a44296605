import Testing

@testable import Hooks

@Suite struct ArgvMaskingTests {
    static let cases: [(String, String)] = [
        ("--password=hunter2", "--password=******"),
        ("--aws_secret_access_key=abc", "--aws_secret_access_key=******"),
        ("--API_TOKEN=t", "--API_TOKEN=******"),
        ("--sslkey=/etc/key.pem", "--sslkey=******"),
        ("--stanza=main", "--stanza=main"),
        ("--connstring=dbname=postgres user=r password=s3cret host=h", "--connstring=dbname=postgres user=r password=****** host=h"),
        ("--connstring=host=h password='a b\\' c' port=5", "--connstring=host=h password=****** port=5"),
        ("user=r PASSWORD = x", "user=r PASSWORD = ******"),
        ("--conn=postgres://u:pw@h:5432/db", "--conn=postgres://u:******@h:5432/db"),
        ("postgres://u@h/db", "postgres://u@h/db"),
        ("--scope=batman", "--scope=batman"),
        ("nopassword=1 mypassword=x", "nopassword=1 mypassword=x"),
    ]

    @Test(arguments: cases)
    func hidesSecrets(element: String, masked: String) {
        #expect(ArgvMasking.masked(["cmd", element]) == ["cmd", masked])
    }
}
