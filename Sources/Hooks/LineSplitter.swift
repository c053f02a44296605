#if canImport(Glibc)
    import Glibc
#endif

/// Cuts one stream's bytes into lines (without the `\n`), handing out an over-long line in pieces of at most
/// `maxLine` bytes so that memory stays bounded whatever the hook prints.
struct LineSplitter: Sendable {
    let maxLine: Int
    /// The start of a line whose end has not arrived yet (never more than `maxLine` bytes).
    private var pending: [UInt8] = []

    init(maxLine: Int = 64 * 1024) {
        self.maxLine = max(1, maxLine)
    }

    /// Feeds bytes; `emit(line, isPartial)` is called for every complete line and every full piece of a long one.
    /// Each emitted array is the sink's to keep: a line that arrived whole is copied once, at its exact size.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: ([UInt8], Bool) -> Void) {
        var rest = bytes
        while let base = rest.baseAddress, !rest.isEmpty {
            let newline = memchr(base, Int32(UInt8(ascii: "\n")), rest.count).map { base.distance(to: UnsafeRawPointer($0)) }
            var segment = UnsafeRawBufferPointer(rebasing: rest[..<(newline ?? rest.count)])
            // Cut pieces while the line so far would exceed the limit.
            while pending.count + segment.count > maxLine {
                let take = maxLine - pending.count
                emitJoined(UnsafeRawBufferPointer(rebasing: segment[..<take]), isPartial: true, emit)
                segment = UnsafeRawBufferPointer(rebasing: segment[take...])
            }
            guard let newline else {
                pending.append(contentsOf: segment)
                return
            }
            emitJoined(segment, isPartial: false, emit)
            rest = UnsafeRawBufferPointer(rebasing: rest[(newline + 1)...])
        }
    }

    /// Hands out the unterminated last line, if any, at the end of the stream.
    mutating func finish(emit: ([UInt8], Bool) -> Void) {
        guard !pending.isEmpty else { return }
        emit(pending, false)
        pending = []
    }

    /// Emits `pending` followed by `tail` as one line and starts an empty one.
    private mutating func emitJoined(_ tail: UnsafeRawBufferPointer, isPartial: Bool, _ emit: ([UInt8], Bool) -> Void) {
        if pending.isEmpty {
            emit(Array(tail), isPartial)
        } else {
            pending.append(contentsOf: tail)
            emit(pending, isPartial)
            pending = []
        }
    }
}
