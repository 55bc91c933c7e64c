import Foundation

/// Whether a process of this host still exists, as lock takeover decides it.
public enum ProcessLiveness {
    /// `kill(pid, 0)`: only `ESRCH` proves the process is gone. `EPERM` means it exists under another
    /// user, so it counts as alive; a pid of 0 or less is never treated as gone. A stopped process (SIGSTOP,
    /// Ctrl-Z) is alive.
    @Sendable
    public static func system(_ pid: Int32) -> Bool {
        guard pid > 0 else { return true }
        if kill(pid, 0) == 0 { return true }
        return errno != ESRCH
    }

    /// When process `pid` started, as a value that differs for a later process given the same pid: the boot id
    /// (`/proc/sys/kernel/random/boot_id`) and the start time in clock ticks since boot (`/proc/PID/stat`, field
    /// 22). Nil when it cannot be read (no such process, no `/proc`): then only ``system(_:)`` decides.
    @Sendable
    public static func startTime(_ pid: Int32) -> String? {
        guard pid > 0,
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let boot = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19 else { return nil }
        return "\(boot.trimmingCharacters(in: .whitespacesAndNewlines)):\(fields[19])"
    }
}
