#if canImport(Glibc)
    import Glibc
#endif

/// Cuts one stream's bytes into lines (without the `\n`), handing out an over-long line in pieces of at most
/// `maxLine` bytes so that memory stays bounded whatever the hook prints.
struct LineSplitter: Sendable {
    let maxLine: Int
    private var pending: [UInt8] = []

    init(maxLine: Int = 64 * 1024) {
        self.maxLine = max(1, maxLine)
    }

    /// Feeds bytes; `emit(line, isPartial)` is called for every complete line and every full piece of a long one.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: ([UInt8], Bool) -> Void) {
        var rest = bytes
        while !rest.isEmpty {
            let newline = memchr(rest.baseAddress!, Int32(UInt8(ascii: "\n")), rest.count).map { rest.baseAddress!.distance(to: $0) }
            let end = newline ?? rest.endIndex
            var segment = UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<end])
            // Cut pieces while pending + segment would exceed one line's limit.
            while pending.count + segment.count > maxLine {
                let take = maxLine - pending.count
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: segment[segment.startIndex..<(segment.startIndex + take)]))
                emit(pending, true)
                pending.removeAll(keepingCapacity: true)
                segment = UnsafeRawBufferPointer(rebasing: segment[(segment.startIndex + take)...])
            }
            pending.append(contentsOf: segment)
            guard let newline else { return }
            emit(pending, false)
            pending.removeAll(keepingCapacity: true)
            rest = UnsafeRawBufferPointer(rebasing: rest[(newline + 1)...])
        }
    }

    /// Hands out the unterminated last line, if any, at the end of the stream.
    mutating func finish(emit: ([UInt8], Bool) -> Void) {
        guard !pending.isEmpty else { return }
        emit(pending, false)
        pending.removeAll()
    }
}
