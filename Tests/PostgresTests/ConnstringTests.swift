import Postgres
import Testing

@Suite("Connstring and pgpass (SPEC §5.1)")
struct ConnstringTests {
    @Test(
        "values are escaped for quote, backslash and space",
        arguments: [
            ("plain", "plain"),
            ("with space", "with\\ space"),
            ("o'brien", "o\\'brien"),
            ("back\\slash", "back\\\\slash"),
            ("a 'b' \\c", "a\\ \\'b\\'\\ \\\\c"),
            ("ünïcode=x", "ünïcode=x"),
        ]
    )
    func escaping(raw: String, escaped: String) {
        #expect(Connstring.escape(raw) == escaped)
    }

    @Test("pairs come in the order dbname user host port, then ssl keys in a fixed order, and never a password")
    func order() {
        let role = RoleCredentials(
            username: "rep user",
            password: "s3cret",
            ssl: ["sslrootcert": "/ca.pem", "sslmode": "verify-full", "sslpassword": "keypass", "bogus": "x"]
        )
        let connstring = Connstring(source: HostPort(host: "10.0.0.5", port: 5433), role: role)
        #expect(
            connstring.description == "dbname=postgres user=rep\\ user host=10.0.0.5 port=5433 sslmode=verify-full sslrootcert=/ca.pem"
        )
        #expect(!connstring.description.contains("s3cret"))
        #expect(!connstring.description.contains("keypass"))
    }

    @Test("a password pair given explicitly is dropped, and empty values are left out")
    func noPassword() {
        let connstring = Connstring(pairs: [.init("host", "h"), .init("password", "x"), .init("user", ""), .init("port", "1")])
        #expect(connstring.description == "host=h port=1")
        #expect(Connstring.empty.description == "")
    }

    @Test("host:port parsing", arguments: [("127.0.0.1:5432", "127.0.0.1", 5432), ("*:6000", "*", 6000), ("[::1]:5433", "::1", 5433)])
    func hostPort(text: String, host: String, port: Int) throws {
        let parsed = try HostPort(parsing: text)
        #expect(parsed == HostPort(host: host, port: port))
    }

    @Test("host:port without a valid port is a parse error", arguments: ["localhost", "h:", "h:0", "h:70000", ":5432"])
    func badHostPort(text: String) {
        #expect(throws: PostgresError.self) { try HostPort(parsing: text) }
    }
}
