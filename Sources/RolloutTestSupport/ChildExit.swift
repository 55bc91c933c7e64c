import Foundation

/// Whether a child process has exited, read from the kernel without reaping it.
///
/// `Process.isRunning` and `waitUntilExit()` depend on Foundation noticing the child's exit; once, in a full test
/// run, it did not: the killed controller stayed a zombie and `waitUntilExit()` waited forever. `waitid(2)` with
/// `WNOWAIT` sees the exit and leaves the child for Foundation to reap, so both can be asked.
public enum ChildExit {
    /// The exit status of child `pid` as `Process.terminationStatus` reports it (the exit code, or the signal
    /// number for a child killed by one) and whether a signal ended it; nil while it runs (or once it is reaped).
    public static func peek(_ pid: pid_t) -> (status: Int32, signaled: Bool)? {
        var info = siginfo_t()
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid
        else { return nil }
        return (info._sifields._sigchld.si_status, info.si_code != CLD_EXITED)
    }

    /// Waits until `process` has exited (as Foundation or the kernel says) or `deadline` passes; true when it has.
    public static func wait(_ process: Process, until deadline: ContinuousClock.Instant) -> Bool {
        while ContinuousClock.now < deadline {
            if !process.isRunning || peek(process.processIdentifier) != nil { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return !process.isRunning || peek(process.processIdentifier) != nil
    }

    /// The status of an exited `process`: Foundation's when it has marked the child finished, else the kernel's.
    /// Foundation may reap the child between the two reads and mark it finished a moment later (its
    /// `terminationStatus` traps until then): read again until one of them answers, for at most 60 s
    /// (-1 then).
    public static func status(of process: Process) -> (status: Int32, signaled: Bool) {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if !process.isRunning { return (process.terminationStatus, process.terminationReason == .uncaughtSignal) }
            if let seen = peek(process.processIdentifier) { return seen }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return (-1, false)
    }
}
