import Synchronization

/// Everything the runner keeps of one hook's output: both tails, the byte count, the log file, and the lines
/// handed to the sink. Both streams' readers feed it; the lock makes sink calls and log writes one at a time.
final class OutputRecorder: Sendable {
    private struct State {
        var stdoutTail: OutputTail
        var stderrTail: OutputTail
        var stdoutLines: LineSplitter
        var stderrLines: LineSplitter
        var stdoutBytes: Int64 = 0
        var stderrBytes: Int64 = 0
        var log: HookOutputLog?
    }

    private let state: Mutex<State>
    private let sink: (any HookOutputSink)?

    init(tailBytes: Int, maxLineBytes: Int, sink: (any HookOutputSink)?, log: sending HookOutputLog?) {
        let state = State(
            stdoutTail: OutputTail(capacity: tailBytes),
            stderrTail: OutputTail(capacity: tailBytes),
            stdoutLines: LineSplitter(maxLine: maxLineBytes),
            stderrLines: LineSplitter(maxLine: maxLineBytes),
            log: log
        )
        self.state = Mutex(state)
        self.sink = sink
    }

    /// Takes one chunk as read from `stream`.
    func record(_ bytes: UnsafeRawBufferPointer, from stream: HookStream) {
        state.withLock { state in
            state.log?.append(bytes)
            switch stream {
            case .stdout:
                state.stdoutBytes += Int64(bytes.count)
                state.stdoutTail.append(bytes)
                if let sink { state.stdoutLines.feed(bytes) { sink.receive(HookOutputLine(stream: .stdout, bytes: $0, isPartial: $1)) } }
            case .stderr:
                state.stderrBytes += Int64(bytes.count)
                state.stderrTail.append(bytes)
                if let sink { state.stderrLines.feed(bytes) { sink.receive(HookOutputLine(stream: .stderr, bytes: $0, isPartial: $1)) } }
            }
        }
    }

    /// Marks the end of `stream`: its unterminated last line, if any, goes to the sink.
    func finish(_ stream: HookStream) {
        guard let sink else { return }
        state.withLock { state in
            switch stream {
            case .stdout: state.stdoutLines.finish { sink.receive(HookOutputLine(stream: .stdout, bytes: $0, isPartial: $1)) }
            case .stderr: state.stderrLines.finish { sink.receive(HookOutputLine(stream: .stderr, bytes: $0, isPartial: $1)) }
            }
        }
    }

    struct Summary {
        var stdoutTail: [UInt8]
        var stderrTail: [UInt8]
        var outputBytes: Int64
        var logFailure: String?
    }

    var summary: Summary {
        state.withLock { state in
            Summary(
                stdoutTail: state.stdoutTail.bytes,
                stderrTail: state.stderrTail.bytes,
                outputBytes: state.stdoutBytes + state.stderrBytes,
                logFailure: state.log?.failure
            )
        }
    }
}
