/// Receives a hook's output line by line while it runs (the logger, progress tracking).
///
/// Calls never overlap: the runner delivers lines of both streams one at a time, each stream in order.
/// Keep the work short; the runner does not read more output until the call returns.
public protocol HookOutputSink: Sendable {
    /// One line of output without its newline, or one piece of an over-long line.
    func receive(_ line: HookOutputLine)
}

/// One line (or one piece of an over-long line) printed by a hook. Raw bytes: not necessarily UTF-8.
public struct HookOutputLine: Sendable, Equatable {
    public var stream: HookStream
    /// The bytes, without the terminating `\n` (a `\r` before it is kept).
    public var bytes: [UInt8]
    /// `true` for every piece of an over-long line but its last: more of the same line follows.
    public var isPartial: Bool

    public init(stream: HookStream, bytes: [UInt8], isPartial: Bool = false) {
        self.stream = stream
        self.bytes = bytes
        self.isPartial = isPartial
    }

    /// The line as text; invalid UTF-8 becomes U+FFFD (the raw ``bytes`` keep the original).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
