/// The last `capacity` bytes written to one stream, kept in a ring so memory never exceeds `capacity`.
struct OutputTail: Sendable {
    let capacity: Int
    private var storage: [UInt8] = []
    /// Index in `storage` where the oldest byte sits once the ring is full.
    private var head = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        storage.reserveCapacity(min(self.capacity, 64 * 1024))
    }

    /// Appends raw bytes, dropping the oldest ones beyond `capacity`.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard capacity > 0, !bytes.isEmpty else { return }
        var chunk = bytes
        if chunk.count >= capacity {
            storage = Array(UnsafeRawBufferPointer(rebasing: chunk[(chunk.count - capacity)...]))
            head = 0
            return
        }
        if storage.count < capacity {
            let room = capacity - storage.count
            let take = min(room, chunk.count)
            storage.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<take]))
            chunk = UnsafeRawBufferPointer(rebasing: chunk[take...])
            if chunk.isEmpty { return }
        }
        // Full ring: overwrite from `head`, wrapping once at most (chunk.count < capacity).
        let first = min(chunk.count, capacity - head)
        storage.withUnsafeMutableBytes { ring in
            ring.baseAddress!.advanced(by: head).copyMemory(from: chunk.baseAddress!, byteCount: first)
            if first < chunk.count {
                ring.baseAddress!.copyMemory(from: chunk.baseAddress!.advanced(by: first), byteCount: chunk.count - first)
            }
        }
        head = (head + chunk.count) % capacity
    }

    /// The kept bytes, oldest first.
    var bytes: [UInt8] {
        guard head > 0 else { return storage }
        return Array(storage[head...] + storage[..<head])
    }
}
