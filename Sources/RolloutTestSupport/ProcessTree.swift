import Foundation

/// Process-table helpers over `/proc`, used to stop a server together with everything it forked.
public enum ProcessTree {
    /// The pids of every living descendant of `pid` (children, grandchildren, ...), deepest last.
    public static func descendants(of pid: pid_t) -> [pid_t] {
        var parentOf: [pid_t: pid_t] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = pid_t(entry), let ppid = parentPid(of: child) else { continue }
            parentOf[child] = ppid
        }
        var result: [pid_t] = []
        var frontier: Set<pid_t> = [pid]
        while !frontier.isEmpty {
            let next = parentOf.filter { frontier.contains($0.value) }.map(\.key)
            result.append(contentsOf: next)
            frontier = Set(next)
        }
        return result
    }

    /// The parent pid from `/proc/<pid>/stat`, or nil when the process is gone.
    public static func parentPid(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)" come the state and the parent pid; comm may itself contain spaces or parens.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// The pids of living processes whose command line contains `text`.
    public static func processes(withCommandLineContaining text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), pid != getpid(),
                let cmdline = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                cmdline.contains(text), isAlive(pid)
            else { return nil }
            return pid
        }
    }

    /// Whether `pid` exists and is not a zombie.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// Sends SIGKILL to `pid` and all its descendants (found first, so none escapes by re-parenting),
    /// then waits up to `timeout` for them to disappear. Returns the pids still alive afterwards.
    @discardableResult
    public static func killTree(_ pid: pid_t, timeout: Duration = .seconds(5)) -> [pid_t] {
        let all = [pid] + descendants(of: pid)
        for p in all { kill(p, SIGKILL) }
        // Reap the ones that are our own children; the others are reaped by whoever adopted them.
        for p in all { _ = waitpid(p, nil, WNOHANG) }
        let deadline = ContinuousClock.now + timeout
        var alive = all.filter(isAlive)
        while !alive.isEmpty && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            for p in alive { _ = waitpid(p, nil, WNOHANG) }
            alive = alive.filter(isAlive)
        }
        return alive
    }
}
