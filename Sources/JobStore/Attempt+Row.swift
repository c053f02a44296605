import Foundation
import SQLite

extension Attempt {
    /// The columns `init(row:)` reads; `number` comes from the caller.
    static let columns = """
        id, job_id, cycle, position, method, command, argv, clone_source, started_at, finished_at, outcome, detail, exit_code, \
        signal, stdout_tail, stderr_tail, output_bytes, log_path, hook_pid, hook_pgid, hook_start_time, last_line, progress_at
        """

    init(row: SQLiteRow, number: Int) throws {
        id = try row[0]
        jobID = try row[1]
        self.number = number
        cycle = try row[2]
        position = try row[3]
        method = try row[4]
        command = try row[5]
        let argvText: String = try row[6]
        argv = (try? JSONDecoder().decode([String].self, from: Data(argvText.utf8))) ?? []
        cloneSource = try row[7]
        startedAt = Date(milliseconds: try row[8])
        finishedAt = (try row[9] as Int64?).map(Date.init(milliseconds:))
        outcome = (try row[10] as String?).flatMap(AttemptOutcome.init(rawValue:))
        detail = try row[11]
        exitCode = try row[12]
        signal = try row[13]
        stdoutTail = try row[14]
        stderrTail = try row[15]
        outputBytes = try row[16]
        logPath = try row[17]
        if let pid: Int32 = try row[18], let pgid: Int32 = try row[19], let startTime: Int64 = try row[20] {
            process = AttemptProcess(pid: pid, processGroup: pgid, startTime: startTime)
        } else {
            process = nil
        }
        lastLine = try row[21]
        progressAt = (try row[22] as Int64?).map(Date.init(milliseconds:))
    }
}
