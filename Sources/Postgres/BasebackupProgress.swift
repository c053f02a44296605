/// One progress line of `pg_basebackup --progress` (`22953/45906 kB (50%), 0/1 tablespace`), for status output.
///
/// pg_basebackup writes these to stderr, ending each with `\n` when stderr is not a terminal (as under the runner).
public struct BasebackupProgress: Sendable, Equatable {
    public var doneKB: Int64
    public var totalKB: Int64
    public var percent: Int

    public init(doneKB: Int64, totalKB: Int64, percent: Int) {
        self.doneKB = doneKB
        self.totalKB = totalKB
        self.percent = percent
    }

    /// Parses a progress line; `nil` for any other line (a value: most lines are not progress).
    public init?(line: String) {
        let text = line.drop { $0 == " " || $0 == "\r" }
        guard let slash = text.firstIndex(of: "/"), let done = Int64(text[..<slash]) else { return nil }
        let rest = text[text.index(after: slash)...]
        guard let space = rest.firstIndex(of: " "), let total = Int64(rest[..<space]) else { return nil }
        let afterTotal = rest[space...]
        guard afterTotal.hasPrefix(" kB ("), let open = afterTotal.firstIndex(of: "("), let percentSign = afterTotal.firstIndex(of: "%"),
            let percent = Int(afterTotal[afterTotal.index(after: open)..<percentSign])
        else { return nil }
        self.init(doneKB: done, totalKB: total, percent: percent)
    }
}
