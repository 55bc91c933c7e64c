internal import CLibSSH2
import Foundation

/// Owns one `LIBSSH2_SFTP` subsystem channel; used only from its connection's executor, one job at a time.
final class SFTPSession {
    let handle: OpaquePointer
    let session: SSHSession

    private init(handle: OpaquePointer, session: SSHSession) {
        self.handle = handle
        self.session = session
    }

    deinit { session.blockingBriefly { _ = libssh2_sftp_shutdown(handle) } }

    static func start(_ session: SSHSession, deadline: Deadline, timeout: () -> SSHError) throws -> SFTPSession {
        let (pointer, rc) = try session.retryPointer(until: deadline, timeout: timeout) {
            libssh2_sftp_init(session.handle)
        }
        guard let pointer else {
            throw session.error(
                rc, "libssh2_sftp_init", .sftpFailed,
                "the server did not start the SFTP subsystem (Subsystem sftp in sshd_config?)")
        }
        return SFTPSession(handle: pointer, session: session)
    }

    /// Turns a failed SFTP call into an ``SSHError`` carrying the SFTP status code.
    func error(_ rc: Int32, _ function: String, _ hint: String) -> SSHError {
        guard rc == LIBSSH2_ERROR_SFTP_PROTOCOL else { return session.error(rc, function, .sftpFailed, hint) }
        let status = libssh2_sftp_last_error(handle)
        let names: [UInt: String] = [2: "no such file", 3: "permission denied", 4: "failure", 8: "unsupported"]
        return SSHError(
            .sftpFailed, host: session.host,
            "\(hint): SFTP status \(status) (\(names[status] ?? "see RFC draft-ietf-secsh-filexfer"))",
            nativeCode: rc, function: function)
    }

    var lastStatus: UInt { libssh2_sftp_last_error(handle) }

    func unlink(_ path: String, deadline: Deadline, timeout: () -> SSHError) throws {
        let rc = try session.retry(until: deadline, timeout: timeout) {
            libssh2_sftp_unlink_ex(handle, path, UInt32(path.utf8.count))
        }
        if rc < 0 { throw error(rc, "libssh2_sftp_unlink_ex", "cannot delete \(path)") }
    }

    func setMode(_ path: String, mode: UInt32, deadline: Deadline, timeout: () -> SSHError) throws {
        var attributes = LIBSSH2_SFTP_ATTRIBUTES()
        attributes.flags = UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS)
        attributes.permissions = UInt(mode & 0o7777)
        let rc = try session.retry(until: deadline, timeout: timeout) {
            libssh2_sftp_stat_ex(handle, path, UInt32(path.utf8.count), LIBSSH2_SFTP_SETSTAT, &attributes)
        }
        if rc < 0 { throw error(rc, "libssh2_sftp_stat_ex", "cannot set mode \(String(mode, radix: 8)) on \(path)") }
    }

    /// Renames with overwrite, atomically; false when the server refused (OpenSSH's SFTP v3 rename never
    /// replaces an existing file), so the caller can fall back to `mv -f`.
    func rename(_ from: String, to: String, deadline: Deadline, timeout: () -> SSHError) throws -> Bool {
        let flags = Int(LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE)
        let rc = try session.retry(until: deadline, timeout: timeout) {
            libssh2_sftp_rename_ex(handle, from, UInt32(from.utf8.count), to, UInt32(to.utf8.count), flags)
        }
        if rc == 0 { return true }
        if rc == LIBSSH2_ERROR_SFTP_PROTOCOL { return false }
        throw error(rc, "libssh2_sftp_rename_ex", "cannot rename \(from) to \(to)")
    }
}

/// Owns one open remote file (`LIBSSH2_SFTP_HANDLE`).
final class SFTPFile {
    private(set) var handle: OpaquePointer?
    let sftp: SFTPSession
    let path: String

    private init(handle: OpaquePointer, sftp: SFTPSession, path: String) {
        self.handle = handle
        self.sftp = sftp
        self.path = path
    }

    deinit {
        // An abandoned upload still has write requests in flight; closing waits for them and frees their buffers.
        if let handle { sftp.session.blockingBriefly { _ = libssh2_sftp_close_handle(handle) } }
    }

    /// Creates `path` exclusively (it must not exist) for writing, with `mode`.
    static func create(
        _ sftp: SFTPSession, path: String, mode: Int, deadline: Deadline,
        timeout: () -> SSHError
    ) throws -> SFTPFile {
        let flags = UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL)
        let (pointer, rc) = try sftp.session.retryPointer(until: deadline, timeout: timeout) {
            libssh2_sftp_open_ex(sftp.handle, path, UInt32(path.utf8.count), flags, mode, LIBSSH2_SFTP_OPENFILE)
        }
        guard let pointer else {
            throw sftp.error(
                rc, "libssh2_sftp_open_ex",
                "cannot create \(path) (does the directory exist and is it "
                    + "writable by the login user?)")
        }
        return SFTPFile(handle: pointer, sftp: sftp, path: path)
    }

    /// One `libssh2_sftp_write` of `bytes`, waiting whenever the channel is full: sends, as pipelined write
    /// requests, whatever of `bytes` was not sent by an earlier call, and returns how many of the first bytes the
    /// server acknowledged (at least 1). The next call must start at the first unacknowledged byte
    /// (``SFTPWriteWindow``).
    func writeAcknowledged(_ bytes: ArraySlice<UInt8>, deadline: Deadline, timeout: () -> SSHError) throws -> Int {
        guard let handle else { return bytes.count }
        while true {
            let n = writeSome(handle, bytes)
            if n > 0 { return n }
            guard n == Int(LIBSSH2_ERROR_EAGAIN) else {
                throw sftp.error(Int32(n), "libssh2_sftp_write", "writing \(path) failed (disk full?)")
            }
            do {
                try sftp.session.wait(until: deadline, timeout: timeout)
            } catch {
                finishHalfSentPacket(handle, bytes)
                throw error
            }
        }
    }

    private func writeSome(_ handle: OpaquePointer, _ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { raw in
            raw.withMemoryRebound(to: CChar.self) { libssh2_sftp_write(handle, $0.baseAddress, $0.count) }
        }
    }

    /// When a write is abandoned (timeout, cancellation) while libssh2 holds a half-sent packet, keeps resending
    /// the same bytes for a short grace period until nothing is half-sent, so that the session stays usable for
    /// the clean-up and the next operation. The chunk is bounded, so on a live connection this ends quickly.
    private func finishHalfSentPacket(_ handle: OpaquePointer, _ bytes: ArraySlice<UInt8>) {
        let grace = Deadline.after(.seconds(2))
        var rest = bytes
        while sftp.session.isWaitingToSend && !grace.hasPassed {
            var fd = pollfd(fd: sftp.session.socket, events: Int16(POLLOUT), revents: 0)
            _ = poll(&fd, 1, grace.pollTimeout(cap: 100))
            let n = writeSome(handle, rest)
            if n > 0 { rest = rest.dropFirst(n) }
            if n < 0 && n != Int(LIBSSH2_ERROR_EAGAIN) || rest.isEmpty { return }
        }
    }

    /// Flushes to disk (`fsync@openssh.com`; skipped when the server lacks it) and closes the handle.
    func syncAndClose(deadline: Deadline, timeout: () -> SSHError) throws {
        guard let handle else { return }
        let synced = try sftp.session.retry(until: deadline, timeout: timeout) { libssh2_sftp_fsync(handle) }
        if synced < 0 && !(synced == LIBSSH2_ERROR_SFTP_PROTOCOL && sftp.lastStatus == 8) {
            throw sftp.error(synced, "libssh2_sftp_fsync", "flushing \(path) to disk failed")
        }
        let closed = try sftp.session.retry(until: deadline, timeout: timeout) { libssh2_sftp_close_handle(handle) }
        self.handle = nil
        if closed < 0 { throw sftp.error(closed, "libssh2_sftp_close_handle", "closing \(path) failed") }
    }
}
