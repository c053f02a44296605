/// The process that holds a running job: host, boot, pid and the pid's start time, so that a pid reused after a
/// reboot or by another program is never mistaken for the owner.
public struct JobOwner: Sendable, Hashable, CustomStringConvertible {
    /// The host name.
    public var host: String
    /// `/proc/sys/kernel/random/boot_id` of the host when the owner started.
    public var bootID: String
    /// The process id.
    public var pid: Int32
    /// Field 22 of `/proc/<pid>/stat`: clock ticks after boot when the process started.
    public var startTime: Int64

    public init(host: String, bootID: String, pid: Int32, startTime: Int64) {
        self.host = host
        self.bootID = bootID
        self.pid = pid
        self.startTime = startTime
    }

    public var description: String { "pid \(pid) on \(host)" }
}
