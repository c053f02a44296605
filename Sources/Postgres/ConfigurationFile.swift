/// Small edits of PostgreSQL's text configuration files (`postgresql.conf`, `postgresql.auto.conf`, `pg_hba.conf`).
enum ConfigurationFile {
    /// Appends `include_if_exists = '<name>'` to `postgresql.conf` once per name (creating the file if it is missing),
    /// so the sidecar-owned file's settings come after everything else in `postgresql.conf`.
    static func ensureIncludes(_ names: [String], in directory: DataDirectory) throws {
        let confPath = directory.file("postgresql.conf")
        let text = try AtomicFile.read(confPath) ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let missing = names.filter { name in
            !lines.contains { includedName(of: $0) == name }
        }
        guard !missing.isEmpty else { return }
        var out = text
        if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
        out += "# Added by sidecar: settings it manages live in these files, which it rewrites.\n"
        for name in missing {
            out += "include_if_exists = \(ConfigParameter.quote(name))\n"
        }
        try AtomicFile.write(out, to: confPath)
    }

    /// The file an `include_if_exists = '...'` line names, if the line is one.
    static func includedName(of line: String) -> String? {
        guard let setting = parse(line), setting.name == "include_if_exists" else { return nil }
        return setting.value
    }

    /// `name = value` (the `=` optional, the value quoted or not) of a configuration line; `nil` for comments and blanks.
    static func parse(_ line: String) -> (name: String, value: String)? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard let first = trimmed.first, first != "#" else { return nil }
        let name = trimmed.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        guard !name.isEmpty else { return nil }
        var rest = trimmed.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        if rest.first == "=" { rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" } }
        var value = ""
        if rest.first == "'" {
            var iterator = rest.dropFirst().makeIterator()
            while let character = iterator.next() {
                if character == "\\" {
                    if let next = iterator.next() { value.append(next) }
                } else if character == "'" {
                    var lookahead = iterator
                    if lookahead.next() == "'" {
                        value.append("'")
                        iterator = lookahead
                    } else {
                        break
                    }
                } else {
                    value.append(character)
                }
            }
        } else {
            value = String(rest.prefix { $0 != " " && $0 != "\t" && $0 != "#" })
        }
        return (name.lowercased(), value)
    }
}
