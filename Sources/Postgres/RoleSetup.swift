/// The SQL of the role setup, kept pure so it can be read and tested.
public enum RoleSetup {
    /// Statements that keep the passwords out of the server log, set the superuser's password, and create the
    /// replication role if missing (via `\gexec`, no dollar quoting) before altering it to LOGIN REPLICATION + password.
    public static func sql(superuser: RoleCredentials, replication: RoleCredentials) -> String {
        var lines = [
            "SET standard_conforming_strings = on;",
            "SET log_statement = 'none';",
            "SET log_min_duration_statement = -1;",
            "SET log_min_error_statement = 'panic';",
        ]
        if let password = superuser.password {
            lines.append("ALTER ROLE \(identifier(superuser.username)) WITH PASSWORD \(literal(password));")
        }
        if replication.username != superuser.username {
            lines.append(
                "SELECT 'CREATE ROLE ' || quote_ident(\(literal(replication.username))) "
                    + "WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = \(literal(replication.username))) \\gexec"
            )
            let password = replication.password.map { " PASSWORD \(literal($0))" } ?? ""
            lines.append("ALTER ROLE \(identifier(replication.username)) WITH LOGIN REPLICATION\(password);")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `"name"` with `"` doubled.
    static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `'text'` with `'` doubled (standard_conforming_strings is on, so `\` is literal).
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
