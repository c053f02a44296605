/// An error the user sees: one line saying what to do, and the exit status of SPEC §9.
struct CLIError: Error, CustomStringConvertible {
    /// 64: bad usage or configuration.
    static let usage: Int32 = 64
    /// 69: the DCS is unavailable.
    static let unavailable: Int32 = 69
    /// 1: anything else.
    static let failure: Int32 = 1

    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = CLIError.failure) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}
