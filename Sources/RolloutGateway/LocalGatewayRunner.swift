import Foundation

/// Runs gateway commands on the controller itself with `/bin/sh -c` (for `gateway.on: controller`).
///
/// Input and output are temporary files rather than pipes, so a chatty command never blocks on a full pipe and a
/// background child that keeps its output open cannot hold the result back. A command still running at its
/// timeout is sent SIGTERM, then SIGKILL one second later, and reported as an error naming it; each command runs in
/// its own process group and the signals go to the whole group, so nothing it started outlives the timeout. The engine can use
/// this runner for every `on: controller` gateway.
public struct LocalGatewayRunner: GatewayCommandRunner {
    /// The shell that runs each command.
    public var shell: String
    /// Variables added to the command's environment (on top of the controller's).
    public var environment: [String: String]

    public init(shell: String = "/bin/sh", environment: [String: String] = [:]) {
        self.shell = shell
        self.environment = environment
    }

    public func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult {
        let shell = shell
        let environment = environment
        // Process and its waits block; keep them off the cooperative thread pool.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        try Self.runBlocking(
                            command, shell: shell, environment: environment, stdin: stdin, timeout: timeout)
                    })
            }
        }
    }

    private static func runBlocking(
        _ command: String, shell: String, environment: [String: String], stdin: [UInt8]?, timeout: Duration
    ) throws -> GatewayCommandResult {
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        let outURL = files.appendingPathComponent("out")
        let errURL = files.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        // Standard input from a file too: a command that exits without reading it cannot raise SIGPIPE here.
        let inURL = files.appendingPathComponent("in")
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin ?? []))
        let pid: pid_t
        do {
            pid = try LocalSpawn.spawn(
                shell, ["-c", command], environment: environment, stdin: .file(inURL.path),
                stdout: .file(outURL.path), stderr: .file(errURL.path))
        } catch {
            throw GatewayError(.commandFailed, "cannot run `\(shell) -c \(command)` on the controller: \(error)")
        }
        let exited = DispatchSemaphore(value: 0)
        let reaped = ReapedStatus()
        Thread.detachNewThread {
            var status: Int32 = 0
            var result = waitpid(pid, &status, 0)
            while result < 0 && errno == EINTR { result = waitpid(pid, &status, 0) }
            // Not reaped here (it cannot be): never a success.
            reaped.set(result == pid ? status : 255 << 8)
            exited.signal()
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            // The whole process group: the shell and everything it started (a pipeline, a `sleep`, a script's
            // children), which would otherwise run on after their shell is gone.
            kill(-pid, SIGTERM)
            let reapedAfterTerm = exited.wait(timeout: .now() + 1) == .success
            // Also when the shell is gone: what it started may ignore SIGTERM.
            kill(-pid, SIGKILL)
            if !reapedAfterTerm { exited.wait() }
            throw GatewayError(
                .commandFailed, "`\(command)` did not finish within \(timeout) on the controller and was killed")
        }
        let raw = reaped.get()
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        return GatewayCommandResult(
            status: status, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

/// The wait status the reaping thread saw.
private final class ReapedStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int32 = 0

    func set(_ value: Int32) { lock.withLock { status = value } }
    func get() -> Int32 { lock.withLock { status } }
}

/// Starts local processes the way the controller needs them: as the leader of a new process group (a signal to the
/// group reaches everything it starts; a terminal's Ctrl-C does not reach it), with the signal mask emptied and the
/// usual signals' dispositions reset (the controller may ignore SIGPIPE, SIGINT or SIGTERM; its children must not
/// inherit that), and standard streams from files or fds.
public enum LocalSpawn {
    /// Where a standard stream of the child comes from or goes to.
    public enum Stream: Sendable {
        /// A file opened for reading (stdin) or truncated for writing (stdout, stderr).
        case file(String)
        /// An fd of the caller, duplicated into place.
        case fd(Int32)
    }

    /// Spawns `executable` (an absolute path) with `arguments` and the controller's environment merged with
    /// `environment` (`removing` the names listed). Returns the child's pid.
    public static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], removing: Set<String> = [],
        stdin: Stream, stdout: Stream, stderr: Stream
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, target == 0 ? O_RDONLY : O_WRONLY | O_TRUNC, 0)
            case .fd(let fd):
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            .filter { !removing.contains($0.key) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw GatewayError(.commandFailed, "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }
}
