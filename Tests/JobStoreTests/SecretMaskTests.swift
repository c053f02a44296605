import Testing

@testable import JobStore

@Suite struct SecretMaskTests {
    @Test(arguments: [
        ("--password=x", "--password=******"),
        ("--PGPASSWORD=x y", "--PGPASSWORD=******"),
        ("--aws_secret=abc", "--aws_secret=******"),
        ("--api-token=abc", "--api-token=******"),
        ("--sslkey=/etc/key.pem", "--sslkey=******"),
        ("--scope=demo", "--scope=demo"),
        ("--datadir=/data/pg", "--datadir=/data/pg"),
        (
            "--connstring=dbname=postgres user=rep host=h port=5432 password=x",
            "--connstring=dbname=postgres user=rep host=h port=5432 password=******"
        ),
        ("--connstring=host=h password='a b\\' c' user=rep", "--connstring=host=h password=****** user=rep"),
        ("password=x", "password=******"),
        ("host=h password = x port=5", "host=h password = ****** port=5"),
        ("PGPASSWORD=s3cret pg_basebackup -D /x", "PGPASSWORD=****** pg_basebackup -D /x"),
        ("postgres://rep:s3cret@10.0.0.1:5432/postgres", "postgres://rep:******@10.0.0.1:5432/postgres"),
        ("postgres://rep@10.0.0.1/postgres", "postgres://rep@10.0.0.1/postgres"),
        ("https://h/v3?token=abc&x=1", "https://h/v3?token=******&x=1"),
        ("no secrets here", "no secrets here"),
        ("", ""),
        // Upper case, and names only Unicode case folding makes secret (U+212A KELVIN SIGN lowers to k).
        ("--PG-PASSWORD=x", "--PG-PASSWORD=******"),
        ("--api_\u{212A}ey=abc", "--api_\u{212A}ey=******"),
        ("--TO\u{212A}EN=abc", "--TO\u{212A}EN=******"),
        ("--épassword=x", "--épassword=******"),
        ("--sc\u{301}ope=demo", "--sc\u{301}ope=demo"),
        ("--source=s3://b/p", "--source=s3://b/p"),
        ("--source=https://u:pw@h/p", "--source=https://u:******@h/p"),
    ])
    func masksOneArgument(input: String, expected: String) {
        #expect(SecretMask.maskArgument(input) == expected)
    }

    @Test func masksTheValueAfterALoneSecretFlag() {
        #expect(
            SecretMask.maskArgv(["tool", "--password", "x", "--user", "rep", "--token", "--verbose"])
                == ["tool", "--password", "******", "--user", "rep", "--token", "--verbose"])
    }

    @Test func secretNamesFollowTheSpec() {
        for name in ["password", "db_password", "Secret", "TOKEN", "sslkey", "key"] {
            #expect(SecretMask.isSecretName(name), "\(name)")
        }
        for name in ["scope", "datadir", "connstring", "role", "keep_data", "no_params"] {
            #expect(SecretMask.isSecretName(name) == false, "\(name)")
        }
    }

    /// The byte-level fast paths give what the general code gives, on 20,000 arguments and names built from the pieces
    /// that matter to them (dashes, `=`, `://`, secret words in both cases, spaces, quotes, non-ASCII letters, a
    /// combining accent, U+212A KELVIN SIGN). A fixed seed, so a failure repeats.
    @Test func fastPathsAgreeWithTheGeneralCode() {
        let pieces = [
            "-", "--", "=", ":", "/", "://", "a", "Z", "password", "PassWord", "KEY", "token", "secret", "x", " ", "é",
            "\u{212A}", "\u{301}", "'", "\"", "&", "@", "host", "s3", "_", "0",
        ]
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let text = (0..<next(9)).map { _ in pieces[next(pieces.count)] }.joined()
            if SecretMask.maskArgument(text) != SecretMask.maskArgumentInGeneral(text)
                || SecretMask.isSecretName(text) != SecretMask.isSecretNameInGeneral(text)
            {
                disagreements.append(text)
            }
        }
        let count = disagreements.count
        #expect(count == 0, "first disagreements: \(disagreements.prefix(5))")
    }
}
