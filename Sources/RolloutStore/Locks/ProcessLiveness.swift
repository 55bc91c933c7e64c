import Foundation

/// Whether a process of this host still exists, as lock takeover decides it.
public enum ProcessLiveness {
    /// `kill(pid, 0)`: only `ESRCH` proves the process is gone. `EPERM` means it exists under another
    /// user, so it counts as alive; a pid of 0 or less is never treated as gone.
    @Sendable
    public static func system(_ pid: Int32) -> Bool {
        guard pid > 0 else { return true }
        if kill(pid, 0) == 0 { return true }
        return errno != ESRCH
    }
}
