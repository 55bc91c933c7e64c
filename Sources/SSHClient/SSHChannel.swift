internal import CLibSSH2
import Foundation

/// Owns one `LIBSSH2_CHANNEL`; used only from its connection's executor, one job at a time.
final class SSHChannel {
    let handle: OpaquePointer
    let session: SSHSession

    init(handle: OpaquePointer, session: SSHSession) {
        self.handle = handle
        self.session = session
    }

    deinit {
        // A channel whose close the server has not confirmed yet (a command abandoned after a timeout) returns
        // EAGAIN here and stays with the session, which frees it when the confirmation arrives or at its end.
        _ = libssh2_channel_free(handle)
    }

    /// Opens a `session` channel.
    static func openSession(_ session: SSHSession, deadline: Deadline, timeout: () -> SSHError) throws -> SSHChannel {
        let (pointer, rc) = try session.retryPointer(until: deadline, timeout: timeout) {
            rollout_ssh2_channel_open_session(session.handle)
        }
        guard let pointer else {
            throw session.error(
                rc, "libssh2_channel_open_ex", .channelFailed,
                "the server refused a session channel (MaxSessions reached?)")
        }
        return SSHChannel(handle: pointer, session: session)
    }

    /// Opens a `direct-tcpip` channel from `session`'s server to `host:port`.
    static func directTCPIP(
        _ session: SSHSession, to host: String, port: Int, deadline: Deadline,
        timeout: () -> SSHError
    ) throws -> SSHChannel {
        let (pointer, rc) = try session.retryPointer(until: deadline, timeout: timeout) {
            libssh2_channel_direct_tcpip_ex(session.handle, host, Int32(port), "127.0.0.1", 0)
        }
        guard let pointer else {
            throw session.error(
                rc, "libssh2_channel_direct_tcpip_ex", .connectFailed,
                "the bastion \(session.host) could not forward to \(host):\(port) (AllowTcpForwarding "
                    + "on the bastion, and is the target reachable from it?)")
        }
        return SSHChannel(handle: pointer, session: session)
    }

    /// Non-blocking read from stream 0 (stdout) or 1 (stderr): bytes read, 0 at end, or a libssh2 error/EAGAIN.
    func read(stream: Int32, into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) {
                libssh2_channel_read_ex(handle, stream, $0.baseAddress, $0.count)
            }
        }
    }

    /// Non-blocking write to stream 0: bytes accepted or a libssh2 error/EAGAIN.
    func write(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { libssh2_channel_write_ex(handle, 0, $0.baseAddress, $0.count) }
        }
    }

    var isEOF: Bool { libssh2_channel_eof(handle) == 1 }

    /// The exit signal without `SIG` (e.g. `KILL`), when the server reported one.
    func exitSignal() -> String? {
        var name: UnsafeMutablePointer<CChar>?
        var length = 0
        guard libssh2_channel_get_exit_signal(handle, &name, &length, nil, nil, nil, nil) == 0, let name else {
            return nil
        }
        defer { libssh2_free(session.handle, name) }
        return length > 0 ? String(decoding: UnsafeRawBufferPointer(start: name, count: length), as: UTF8.self) : nil
    }

    var exitStatus: Int32 { libssh2_channel_get_exit_status(handle) }

    /// After a timeout: sends the channel close without waiting for sshd's answer (sshd delays it until the
    /// command exits) and lets the channel be freed. Returns whether the session is still consistent, i.e. no
    /// packet is left half-sent.
    ///
    /// libssh2 1.10 cannot send an RFC 4254 "signal" request, so the remote command is not killed: it ends when
    /// it finishes or gets SIGPIPE writing to its closed output. Wrap commands in `timeout(1)` to bound them there.
    func abandon() -> Bool {
        let grace = Deadline.after(.milliseconds(500))
        while !grace.hasPassed {
            let rc = libssh2_channel_close(handle)
            if rc == 0 { return true }
            if rc != LIBSSH2_ERROR_EAGAIN { return false }
            // Only waiting for the server's reply: our close is out, the session is consistent.
            if !session.isWaitingToSend { return true }
            var fd = pollfd(fd: session.socket, events: Int16(POLLOUT), revents: 0)
            _ = poll(&fd, 1, grace.pollTimeout(cap: 100))
        }
        return false
    }
}
