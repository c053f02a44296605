import Foundation
import Synchronization
import Testing

@testable import Hooks

/// Counts lines without keeping them, and samples the process's RSS while output flows.
final class MeasuringSink: HookOutputSink {
    private struct Counts {
        var pieces = 0
        var bytes = 0
        var peakResident = 0
    }
    private let counts = Mutex(Counts())

    func receive(_ line: HookOutputLine) {
        counts.withLock { counts in
            counts.pieces += 1
            counts.bytes += line.bytes.count
            if counts.pieces % 512 == 0 { counts.peakResident = max(counts.peakResident, residentBytes()) }
        }
    }

    var pieces: Int { counts.withLock { $0.pieces } }
    var bytes: Int { counts.withLock { $0.bytes } }
    var peakResident: Int { counts.withLock { $0.peakResident } }
}

@Suite struct RunnerOutputTests {
    let runner = HookRunner()

    @Test func oneGibibyteKeepsMemoryBoundedAndTheRealTail() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let gib = 1 << 30
        let invocation = try fixture.hook("head -c \(gib) /dev/zero; printf 'the-real-end'", tailBytes: 4096)
        let sink = MeasuringSink()
        let before = residentBytes()
        let result = await runner.run(invocation, sink: sink)
        let after = residentBytes()
        #expect(result.outcome == .succeeded)
        #expect(result.outputBytes == Int64(gib + 12))
        #expect(result.stdoutTail == [UInt8](repeating: 0, count: 4096 - 12) + Array("the-real-end".utf8))
        // One line of 1 GiB + 12 bytes, handed out in 64 KiB pieces.
        #expect(sink.bytes == gib + 12)
        #expect(sink.pieces == gib / 65536 + 1)
        let growth = max(after, sink.peakResident) - before
        #expect(growth < 64 << 20, "RSS grew by \(growth) bytes")
    }

    @Test func tenMegabyteLineArrivesInBoundedPieces() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let size = 10 * 1024 * 1024
        let sink = CollectingSink()
        let script = "head -c \(size) /dev/zero | tr '\\000' 'a'; echo; echo after"
        let result = await runner.run(try fixture.hook(script), sink: sink)
        #expect(result.outcome == .succeeded)
        let lines = sink.received
        #expect(lines.count == size / 65536 + 1)
        #expect(lines.dropLast(2).allSatisfy { $0.isPartial && $0.bytes.count == 65536 })
        #expect(lines.dropLast().last.map { !$0.isPartial && $0.bytes.count == 65536 } == true)
        #expect(lines.dropLast().reduce(0) { $0 + $1.bytes.count } == size)
        #expect(lines.last == HookOutputLine(stream: .stdout, bytes: Array("after".utf8)))
        #expect(Array(result.stdoutTail.suffix(8)) == Array("a\nafter\n".utf8))
    }

    @Test func linesOfBothStreamsArriveEachInOrder() async throws {
        let fixture = try RunnerFixture()
        defer { fixture.remove() }
        let sink = CollectingSink()
        let script = #"i=0; while [ $i -lt 3000 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done"#
        let result = await HookRunner(maxLineBytes: 5).run(try fixture.hook(script), sink: sink)
        #expect(result.outcome == .succeeded)
        func lines(_ stream: HookStream) -> [String] {
            // Rejoin the 5-byte pieces into lines.
            var joined: [String] = []
            var current = ""
            for line in sink.received where line.stream == stream {
                #expect(line.bytes.count <= 5)
                current += line.text
                if !line.isPartial {
                    joined.append(current)
                    current = ""
                }
            }
            return joined
        }
        #expect(lines(.stdout) == (0..<3000).map { "out \($0)" })
        #expect(lines(.stderr) == (0..<3000).map { "err \($0)" })
    }

    @Test func tailKeepsTheLastBytesAcrossChunks() {
        var tail = OutputTail(capacity: 5)
        for chunk in ["ab", "cde", "f", "", "ghij", "k"] {
            Array(chunk.utf8).withUnsafeBytes { tail.append($0) }
        }
        #expect(tail.bytes == Array("ghijk".utf8))
        Array("0123456789".utf8).withUnsafeBytes { tail.append($0) }
        #expect(tail.bytes == Array("56789".utf8))
        Array("xy".utf8).withUnsafeBytes { tail.append($0) }
        #expect(tail.bytes == Array("789xy".utf8))
    }

    @Test func tailOfZeroCapacityKeepsNothing() {
        var tail = OutputTail(capacity: 0)
        Array("abc".utf8).withUnsafeBytes { tail.append($0) }
        #expect(tail.bytes.isEmpty)
    }

    @Test func splitterCutsLinesAndLongPieces() {
        var splitter = LineSplitter(maxLine: 4)
        var out: [(String, Bool)] = []
        for chunk in ["ab\ncd", "efghij\n", "\n", "klmn", "\nop"] {
            Array(chunk.utf8).withUnsafeBytes { splitter.feed($0) { out.append((String(decoding: $0, as: UTF8.self), $1)) } }
        }
        splitter.finish { out.append((String(decoding: $0, as: UTF8.self), $1)) }
        #expect(out.map(\.0) == ["ab", "cdef", "ghij", "", "klmn", "op"])
        #expect(out.map(\.1) == [false, true, false, false, false, false])
    }

    @Test func procStatParsesAwkwardCommandNames() {
        let line = "4242 (a) b (c)) S 1 4240 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50"
        let stat = ProcStat.parse(pid: 4242, line: ArraySlice(line.utf8))
        #expect(stat == ProcStat(pid: 4242, state: UInt8(ascii: "S"), processGroup: 4240, startTime: 987_654))
        #expect(ProcStat.parse(pid: 1, line: ArraySlice("garbage".utf8)) == nil)
    }
}
