import Foundation
import Glibc

/// A process named by its pid and its start time (`/proc/PID/stat` field 22, in clock ticks since boot), so a
/// pid the kernel has since reused for another process is never mistaken for it.
struct ProcessIdentity: Codable, Equatable, CustomStringConvertible {
    var pid: pid_t
    var startTicks: UInt64

    /// The process `pid` as it is now; nil when there is none (or it is a zombie: it has exited).
    static func current(_ pid: pid_t) -> ProcessIdentity? {
        guard pid > 0, let fields = statFields(pid), fields.count > 19, fields[0] != "Z",
            let ticks = UInt64(fields[19])
        else { return nil }
        return ProcessIdentity(pid: pid, startTicks: ticks)
    }

    /// True while this very process runs (not a zombie, and its pid not reused).
    var isAlive: Bool { Self.current(pid) == self }

    var description: String { "pid \(pid)" }

    /// The fields of /proc/PID/stat after the command name: index 0 is the state, 1 the parent pid.
    static func statFields(_ pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"), stat.index(close, offsetBy: 2) <= stat.endIndex
        else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
    }
}
