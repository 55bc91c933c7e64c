internal import CAgentSupport
import Foundation
import Glibc
import RolloutJSON

/// The control socket: a Unix stream socket of mode 0600 that only the agent's own user (or root)
/// may use, checked again with SO_PEERCRED on every connection.
final class ControlServer {
    enum ReadOutcome {
        case request(ControlRequest)
        case invalid(ControlResponse)
    }

    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Created 0600 from the start: no window in which another user could connect.
        let previous = umask(0o177)
        defer { umask(previous) }
        fd = try SocketAddress.unixListener(path, backlog: 64, mode: 0o600, owner: nil)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    init(adopting fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// Accepts every pending connection; connections from other users are answered with an error.
    func acceptAll() -> [ControlConnection] {
        var accepted: [ControlConnection] = []
        while true {
            let client = cas_accept_nonblocking(fd)
            if client < 0 {
                if errno == EINTR { continue }
                break
            }
            var uid: uid_t = 0
            var pid: pid_t = 0
            if cas_peer_uid(client, &uid, &pid) < 0 || (uid != geteuid() && uid != 0) {
                let connection = ControlConnection(fd: client, acceptedMono: MonotonicClock.now())
                connection.respond(
                    ControlResponse(
                        command: "", outcome: "error",
                        reason: "permission denied: only uid \(geteuid()) may control this agent"))
                continue
            }
            accepted.append(ControlConnection(fd: client, acceptedMono: MonotonicClock.now()))
        }
        return accepted
    }

    /// Reads from `connection`; returns the request once a full line (or EOF) arrived, or an error
    /// answer when the request is malformed.
    func read(_ connection: ControlConnection) -> ReadOutcome? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        var eof = false
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(connection.fd, $0.baseAddress, $0.count) }
            if n > 0 {
                connection.buffer += chunk[..<n]
                if connection.buffer.count > 65536 { break }
                continue
            }
            if n < 0 && errno == EINTR { continue }
            eof = n == 0
            break
        }
        let line: ArraySlice<UInt8>
        if let newline = connection.buffer.firstIndex(of: 10) {
            line = connection.buffer[..<newline]
        } else if eof || connection.buffer.count > 65536 {
            line = connection.buffer[...]
        } else {
            return nil
        }
        guard let request = try? JSONValue.decode(ControlRequest.self, from: Data(line)) else {
            return .invalid(
                ControlResponse(command: "", outcome: "error", reason: "malformed request; send one JSON line"))
        }
        guard ControlRequest.commands.contains(request.command) else {
            return .invalid(
                ControlResponse(
                    command: request.command, outcome: "error",
                    reason: "unknown command; use one of \(ControlRequest.commands.joined(separator: ", "))"))
        }
        if let problem = request.problem {
            return .invalid(ControlResponse(command: request.command, outcome: "error", reason: problem))
        }
        return .request(request)
    }

    func close() {
        Glibc.close(fd)
        unlink(path)
    }
}
