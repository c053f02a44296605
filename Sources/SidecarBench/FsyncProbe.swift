import Foundation

/// Measures how many `write(4 KiB) + fdatasync` a second this filesystem does, overwriting a preallocated 4 MiB
/// file in a ring the way a steady-state SQLite WAL does. Call `measure` in slices between the work it is compared
/// with; `rate` is over all slices.
final class FsyncProbe {
    private let fd: Int32
    private let path: String
    private let block = [UInt8](repeating: 0x5a, count: 4096)
    private let ringBlocks = 1024
    private var count = 0
    private var elapsed = Duration.zero

    init(path: String) throws {
        self.path = path
        fd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BenchFailure("cannot open \(path): errno \(errno)") }
        for index in 0..<ringBlocks {
            _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(index * 4096)) }
        }
        fsync(fd)
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Writes and syncs for about `duration`.
    func measure(for duration: Duration) throws {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + duration
        while clock.now < deadline {
            let written = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t((count % ringBlocks) * 4096)) }
            guard written == 4096, fdatasync(fd) == 0 else { throw BenchFailure("write or fdatasync failed: errno \(errno)") }
            count += 1
        }
        elapsed += clock.now - started
    }

    /// Syncs per second over every slice so far.
    var rate: Double { elapsed == .zero ? 0 : Double(count) / elapsed.inSeconds }
}
