internal import CLibSSH2
import Foundation

/// Owns one `LIBSSH2_SESSION` and its socket; used only from its connection's executor, one job at a time.
///
/// The session is non-blocking: every libssh2 call that would block returns `LIBSSH2_ERROR_EAGAIN`, and
/// ``wait(until:timeout:)`` polls the socket in the directions libssh2 reports, so every wait honours a deadline.
final class SSHSession: @unchecked Sendable {
    let handle: OpaquePointer
    /// A TCP socket, or one end of a socketpair when the session runs through a bastion's tunnel.
    let socket: Int32
    /// `address:port`, for errors.
    let host: String
    /// The executor this session's jobs run on; its tunnels (when this is a bastion) keep moving while a job
    /// waits, so one slow forward does not stall every other host behind the bastion.
    weak var executor: SSHExecutor?
    /// The running job's cancellation flag: ``wait(until:timeout:)`` throws `.cancelled` once it is set.
    var cancellation: SSHCancellation?

    private static let initialized: Int32 = {
        let rc = libssh2_init(0)
        // Registered after libssh2 initialised OpenSSL, so it runs before OpenSSL's own exit handler, which frees
        // what a connection's teardown, still running on a pool thread, would use.
        atexit { SSHThreadPool.shared.waitForTeardowns(until: Date(timeIntervalSinceNow: 2)) }
        return rc
    }()

    init(socket: Int32, host: String) throws {
        self.host = host
        guard Self.initialized == 0 else {
            close(socket)
            throw SSHError(
                .handshakeFailed, host: host, "libssh2_init failed; the crypto backend could not start",
                nativeCode: Self.initialized, function: "libssh2_init")
        }
        guard let handle = rollout_ssh2_session_init() else {
            close(socket)
            throw SSHError(
                .handshakeFailed, host: host, "out of memory creating an SSH session",
                function: "libssh2_session_init_ex")
        }
        self.handle = handle
        self.socket = socket
        libssh2_session_set_blocking(handle, 0)
    }

    deinit {
        // Saying goodbye needs a write: give it a short blocking budget instead of looping on EAGAIN.
        blockingBriefly {
            _ = libssh2_session_disconnect_ex(handle, SSH_DISCONNECT_BY_APPLICATION, "closed by rollout", "")
        }
        // libssh2_session_free waits for the server to confirm each open channel's close and gives up (freeing
        // nothing) on a timeout; a channel abandoned after a command timeout is never confirmed while its command
        // runs. With the socket shut down, every such wait fails at once and everything is freed.
        shutdown(socket, Int32(SHUT_RDWR))
        _ = libssh2_session_free(handle)
        close(socket)
    }

    /// Runs `body` with the session in blocking mode for at most `milliseconds` per wait: for the clean-up calls
    /// of deinits, which must finish (a non-blocking close that returns EAGAIN leaks the libssh2 structure) but
    /// must not hang on a dead peer.
    func blockingBriefly<T>(milliseconds: Int = 500, _ body: () -> T) -> T {
        libssh2_session_set_timeout(handle, milliseconds)
        libssh2_session_set_blocking(handle, 1)
        defer {
            libssh2_session_set_blocking(handle, 0)
            libssh2_session_set_timeout(handle, 0)
        }
        return body()
    }

    /// libssh2's explanation of its last error.
    func lastErrorMessage() -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        _ = libssh2_session_last_error(handle, &message, &length, 0)
        guard let message, length > 0 else { return "no details from libssh2" }
        return String(decoding: UnsafeRawBufferPointer(start: message, count: Int(length)), as: UTF8.self)
    }

    var lastErrno: Int32 { libssh2_session_last_errno(handle) }

    /// Whether libssh2 holds a half-sent packet (the last call stopped because the socket was full).
    var isWaitingToSend: Bool { libssh2_session_block_directions(handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 }

    /// The one path from a libssh2 return code to an ``SSHError``: negative `rc` throws with the function name,
    /// libssh2's message and `hint` (what to do).
    @discardableResult
    func check(_ rc: Int32, _ function: String, _ code: SSHError.Code, _ hint: String) throws -> Int32 {
        guard rc < 0 else { return rc }
        throw error(rc, function, code, hint)
    }

    func error(_ rc: Int32, _ function: String, _ code: SSHError.Code, _ hint: String) -> SSHError {
        let disconnected =
            rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV
            || rc == LIBSSH2_ERROR_SOCKET_SEND
        guard disconnected else {
            return SSHError(code, host: host, "\(hint): \(lastErrorMessage())", nativeCode: rc, function: function)
        }
        // The call's own hint ("the server refused ...") would mislead: the peer is simply gone.
        return SSHError(
            .disconnected, host: host,
            "the connection was lost (sshd stopped, host rebooted or network failure); connect again. libssh2: "
                + lastErrorMessage(), nativeCode: rc, function: function)
    }

    /// Blocks until the socket is ready in the directions libssh2 is waiting for, or throws `timeout()` once
    /// `deadline` passes.
    func wait(until deadline: Deadline, timeout: () -> SSHError) throws {
        let directions = libssh2_session_block_directions(handle)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        while true {
            if deadline.hasPassed { throw timeout() }
            if cancellation?.isCancelled == true {
                throw SSHError(.cancelled, host: host, "the operation was cancelled by its caller")
            }
            // Tunnels may only use the session while it holds no half-sent packet of the waiting call.
            let tunnels = executor.flatMap { $0.hasIdleWork && !isWaitingToSend ? $0 : nil }
            var fds = [pollfd(fd: socket, events: events, revents: 0)] + (tunnels?.idleDescriptors() ?? [])
            // Short slices, so that a cancellation is noticed promptly.
            let ready = poll(&fds, nfds_t(fds.count), deadline.pollTimeout(cap: 200))
            if let tunnels {
                tunnels.pumpIdleWork()
                // Pumping may have read what the waiting call needs from the socket: let it try again.
                if ready > 0 { return }
            }
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw SSHError(.disconnected, host: host, "poll on the SSH socket failed: errno \(errno)")
            }
        }
    }

    /// Calls `body` until it stops returning `LIBSSH2_ERROR_EAGAIN`, waiting on the socket in between.
    func retry(until deadline: Deadline, timeout: () -> SSHError, _ body: () -> Int32) throws -> Int32 {
        while true {
            let rc = body()
            if rc != LIBSSH2_ERROR_EAGAIN { return rc }
            try wait(until: deadline, timeout: timeout)
        }
    }

    /// Like ``retry(until:timeout:_:)`` for calls that return a pointer, nil with last errno EAGAIN meaning
    /// "again". Returns nil with the error code when the call failed.
    func retryPointer<P>(until deadline: Deadline, timeout: () -> SSHError, _ body: () -> P?) throws -> (P?, Int32) {
        while true {
            if let pointer = body() { return (pointer, 0) }
            let rc = lastErrno
            if rc != LIBSSH2_ERROR_EAGAIN { return (nil, rc) }
            try wait(until: deadline, timeout: timeout)
        }
    }

    /// Performs the SSH banner exchange and key exchange.
    func handshake(until deadline: Deadline, timeout: () -> SSHError) throws {
        let rc = try retry(until: deadline, timeout: timeout) { libssh2_session_handshake(handle, socket) }
        try check(
            rc, "libssh2_session_handshake", .handshakeFailed,
            "SSH handshake failed (is this an SSH server, and do we share a key exchange algorithm?)")
    }

    /// The server's host key blob and libssh2's key type.
    func hostKey() throws -> (key: [UInt8], type: Int32) {
        var length = 0
        var type: Int32 = 0
        guard let pointer = libssh2_session_hostkey(handle, &length, &type) else {
            throw error(lastErrno, "libssh2_session_hostkey", .handshakeFailed, "the server sent no host key")
        }
        let key = [UInt8](UnsafeRawBufferPointer(start: pointer, count: length))
        return (key, type)
    }
}
