import AgentKit
import Foundation
import Glibc
import RolloutGateway

/// The `rollout-agent` that `rollout dev` runs for the service: started with the generated config in its own process
/// group (Ctrl-C reaches `rollout dev`, which stops it gracefully), its output (its own lines and the service's, tagged
/// by generation) on a pipe that `rollout dev` forwards, and driven through its control socket.
final class DevAgent {
    let pid: pid_t
    /// The read end of the agent's stdout and stderr.
    let outputFD: Int32
    let controlSocket: String
    private var partial: [UInt8] = []
    private(set) var exitStatus: Int32?

    /// Writes `config` and starts `binary run --config` on it (`DevSession` then waits for it to answer).
    init(binary: String, config: String, options: DevOptions) throws {
        try FileManager.default.createDirectory(atPath: options.absoluteState, withIntermediateDirectories: true)
        let configPath = options.agentConfigPath
        guard
            FileManager.default.createFile(
                atPath: configPath, contents: Data(config.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw DevError("cannot write \(configPath)")
        }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw DevError("pipe: \(String(cString: strerror(errno)))") }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(pipeFDs[0], F_SETFL, fcntl(pipeFDs[0], F_GETFL) | O_NONBLOCK)
        let child: pid_t
        do {
            child = try LocalSpawn.spawn(
                binary, ["run", "--config", configPath],
                removing: ["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"], stdin: .file("/dev/null"),
                stdout: .fd(pipeFDs[1]), stderr: .fd(pipeFDs[1]))
        } catch {
            close(pipeFDs[0])
            close(pipeFDs[1])
            throw DevError("cannot start \(binary): \(error)")
        }
        close(pipeFDs[1])
        pid = child
        outputFD = pipeFDs[0]
        controlSocket = options.controlSocket
    }

    deinit { close(outputFD) }

    /// Whole lines the agent printed since the last call (its own log and the service's tagged output).
    func readLines() -> [String] {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            partial += buffer[..<n]
        }
        var lines: [String] = []
        while let newline = partial.firstIndex(of: 10) {
            lines.append(String(decoding: partial[..<newline], as: UTF8.self))
            partial.removeSubrange(...newline)
        }
        return lines
    }

    /// True once the agent has exited (reaped here; `exitStatus` says how).
    func hasExited() -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return false }
        exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return true
    }

    /// One control request to the agent at `socket`; `ctl.unreachable` while it has not opened its socket yet.
    static func request(_ command: String, socket: String, timeout: Duration) throws -> ControlResponse {
        try ControlClient.send(
            ControlRequest(command: command), socketPath: socket,
            timeoutSeconds: max(1, Int(timeout.components.seconds))
        ).response
    }

    func request(_ command: String, timeout: Duration) throws -> ControlResponse {
        try Self.request(command, socket: controlSocket, timeout: timeout)
    }

    /// `ctl stop`: drains the service and waits for the agent to exit; SIGKILL to its group if it does not.
    func stop(timeout: Duration) {
        _ = try? request("stop", timeout: timeout)
        let deadline = ContinuousClock.now + timeout
        while !hasExited() && ContinuousClock.now < deadline { usleep(20_000) }
        if !hasExited() {
            kill(-pid, SIGKILL)
            while !hasExited() { usleep(20_000) }
        }
    }
}
