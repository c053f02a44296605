import Foundation
import JobStore

/// `sidecar-bench queue`: job cycles per second at `synchronous=FULL` beside this disk's fdatasync rate, and
/// `sidecar jobs list --limit 50` on a large history. `queue worker ...` runs the test workers (`QueueWorker`).
enum QueueBenchmark {
    static func main(_ arguments: [String]) -> Int32 {
        if arguments.first == "worker" { return QueueWorker.main(Array(arguments.dropFirst())) }
        FileHandle.standardError.write(Data("queue benchmark: not built yet\n".utf8))
        return 1
    }
}
