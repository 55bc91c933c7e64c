internal import CAgentSupport
import Glibc

/// A running check of the new binary before an agent self-upgrade: first `NEW-BINARY --version`, then
/// `NEW-BINARY run --check-state` with the state it would be handed.
final class UpgradeCheck {
    enum Stage {
        case version
        case state
    }

    let stage: Stage
    let binary: String
    let pid: pid_t
    let outputFD: Int32
    let deadline: Int64
    let requester: ControlConnection
    private(set) var output: [UInt8] = []

    init(
        _ stage: Stage, binary: String, state: String? = nil, requester: ControlConnection, timeoutMilliseconds: Int
    ) throws {
        var fds: [Int32] = [0, 0]
        try syscall("pipe2") { cas_pipe_cloexec(&fds) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        do {
            pid = try ProcessSpawner.spawnRaw(
                path: binary, arguments: stage == .version ? [binary, "--version"] : [binary, "run", "--check-state"],
                environment: ["PATH=/usr/bin:/bin"] + (state.map { ["\(AgentState.variable)=\($0)"] } ?? []),
                setListenPID: false, inheritFDs: [], outputFD: fds[1], workingDirectory: "/", identity: nil,
                newSession: true)
        } catch {
            Glibc.close(fds[0])
            Glibc.close(fds[1])
            throw error
        }
        Glibc.close(fds[1])
        self.stage = stage
        self.binary = binary
        self.requester = requester
        outputFD = fds[0]
        deadline = MonotonicClock.now() + Int64(timeoutMilliseconds)
    }

    func readOutput() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while output.count < 65536 {
            let n = buffer.withUnsafeMutableBytes { read(outputFD, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            output += buffer[..<n]
        }
    }

    /// The check hung: kill it; the reap reports the failure.
    func timedOut() {
        kill(-pid, SIGKILL)
    }

    /// The first line it printed.
    var banner: String {
        String(decoding: output, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }

    /// Everything it printed, on one line (for a refusal's reason).
    var text: String {
        String(decoding: output, as: UTF8.self).split(separator: "\n").joined(separator: " ").prefix(1000)
            .description
    }

    func close() { Glibc.close(outputFD) }
}
