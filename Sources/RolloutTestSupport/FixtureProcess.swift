internal import CAgentSupport
import Foundation
import Synchronization

/// A child process started with `posix_spawn`, able to inherit listening sockets as fd 3...
///
/// Foundation's `Process` cannot place an fd at 3 in the child; this can. The child gets
/// `/dev/null` as stdin, stdout and stderr appended to `logPath`, an empty signal mask and
/// default dispositions (the test process runs on Dispatch threads whose masks must not leak),
/// its own process group, and no other fd of the test process. Whatever happens to the test, a
/// child still running when this object goes away is killed and reaped.
public final class FixtureProcess: Sendable {
    /// How `LISTEN_PID` is set when sockets are passed.
    public enum ListenPID: Sendable {
        /// The child's own pid, through `/bin/sh -c 'export LISTEN_PID=$$; exec "$0" "$@"'`.
        case child
        /// A pid that is not the child's, to check that the child ignores the sockets.
        case other(Int32)
    }

    public let pid: Int32
    /// The file receiving the child's stdout and stderr.
    public let logPath: String
    private let exitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with `arguments` and exactly `environment` (plus the `LISTEN_*`
    /// variables when `listeners` is not empty: fds 3..., `LISTEN_FDS`, `LISTEN_FDNAMES`).
    public convenience init(
        executable: String, arguments: [String], environment: [String: String],
        listeners: [TestListener] = [], listenerNames: [String]? = nil, listenPID: ListenPID = .child
    ) throws {
        try self.init(
            executable: executable, arguments: arguments, environment: environment,
            inheritedFDs: listeners.map(\.fd), listenerNames: listenerNames, listenPID: listenPID)
    }

    /// The same with any fds (sockets or not) placed at 3... and announced in `LISTEN_FDS`; the
    /// caller keeps ownership of `inheritedFDs`.
    public init(
        executable: String, arguments: [String], environment: [String: String],
        inheritedFDs: [Int32], listenerNames: [String]? = nil, listenPID: ListenPID = .child
    ) throws {
        logPath = "/tmp/rollout-child-\(UUID().uuidString.prefix(13)).log"
        var environment = environment
        var argv = [executable] + arguments
        var program = executable
        if !inheritedFDs.isEmpty {
            environment["LISTEN_FDS"] = "\(inheritedFDs.count)"
            environment["LISTEN_FDNAMES"] = (listenerNames ?? inheritedFDs.map { _ in "http" }).joined(separator: ":")
            switch listenPID {
            case .child:
                program = "/bin/sh"
                argv = ["/bin/sh", "-c", "export LISTEN_PID=$$; exec \"$0\" \"$@\""] + argv
            case .other(let pid):
                environment["LISTEN_PID"] = "\(pid)"
            }
        }
        pid = try Self.spawn(
            program: program, argv: argv, environment: environment, inherited: inheritedFDs, logPath: logPath)
    }

    deinit {
        if status == nil {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            _ = try? waitForExit(timeout: .seconds(10))
        }
        unlink(logPath)
    }

    /// Everything the child wrote to stdout and stderr so far.
    public var output: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// The exit status (or 128 + signal) once the child has ended, reaping it; nil while it runs.
    /// -1 means something else in the test process reaped it (a `waitpid(-1, ...)` loop), so
    /// its status is lost: such a reaper must not run in the same process as these fixtures.
    public var status: Int32? {
        exitStatus.withLock { cached in
            if let cached { return cached }
            var raw: Int32 = 0
            let rc = waitpid(pid, &raw, WNOHANG)
            if rc == -1 && errno == ECHILD {
                cached = -1
                return cached
            }
            guard rc == pid else { return nil }
            cached = cas_wifsignaled(raw) != 0 ? 128 + cas_wtermsig(raw) : cas_wexitstatus(raw)
            return cached
        }
    }

    public func signal(_ signo: Int32) {
        if status == nil { kill(pid, signo) }
    }

    /// Waits for the child to end and returns its status, or throws after `timeout`
    /// (leaving it running).
    @discardableResult
    public func waitForExit(timeout: Duration) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status { return status }
            guard ContinuousClock.now < deadline else {
                throw TestSupportError("process \(pid) still running after \(timeout); output:\n\(output)")
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }

    /// Sends `signo`, waits up to `timeout`, then kills the process group; returns the status.
    @discardableResult
    public func stop(signal signo: Int32 = SIGTERM, timeout: Duration = .seconds(10)) -> Int32 {
        signal(signo)
        if let status = try? waitForExit(timeout: timeout) { return status }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        return (try? waitForExit(timeout: .seconds(10))) ?? 128 + SIGKILL
    }

    /// Waits until the output contains `text`; throws early if the child exits first.
    public func waitForOutput(containing text: String, timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = output
            if current.contains(text) { return current }
            if let status {
                throw TestSupportError("process \(pid) exited with \(status) before printing '\(text)':\n\(output)")
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        throw TestSupportError("process \(pid) did not print '\(text)' within \(timeout); output:\n\(output)")
    }
}
