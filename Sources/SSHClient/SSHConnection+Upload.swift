import Crypto
import Foundation
import RolloutText

extension SSHConnection {
    /// Uploads a local file so that `remotePath` either keeps its old content or gets exactly the new one.
    ///
    /// The file is streamed over SFTP in chunks to a temporary name in the destination directory
    /// (`.<name>.rollout-tmp-<random>`), flushed and closed; its SHA-256 on the host (`sha256sum` over this
    /// connection) must equal the digest computed while reading the local file, and `expectedSHA256` when given.
    /// Then the mode is set (the local file's unless `mode` is given) and the file is renamed into place
    /// atomically, replacing an existing file. On any failure the temporary file is deleted and the destination is
    /// untouched; a digest mismatch throws `.checksumMismatch`. Cancelling the calling task ends the upload with
    /// `.cancelled` the same way.
    public func upload(
        from localPath: String, to remotePath: String, mode: UInt32? = nil, expectedSHA256: String? = nil,
        timeout: Duration? = nil
    ) async throws -> SSHUploadResult {
        let corrupt = hooks.corruptUploadChunk
        return try await executor.run { [state, endpoint] cancellation in
            let session = try state.usableSession(host: endpoint.hostDescription)
            session.cancellation = cancellation
            defer { session.cancellation = nil }
            let job = SSHUpload(
                session: session, state: state, localPath: localPath, remotePath: remotePath, mode: mode,
                expectedSHA256: expectedSHA256?.lowercased(), deadline: .after(timeout),
                timeoutDescription: timeout?.shortDescription ?? "", corrupt: corrupt)
            return try state.guarding { broken in try job.run(sessionBroken: &broken) }
        }
    }
}

/// One upload, run on the connection's executor.
struct SSHUpload {
    let session: SSHSession
    let state: SSHConnectionState
    let localPath: String
    let remotePath: String
    let mode: UInt32?
    let expectedSHA256: String?
    let deadline: Deadline
    let timeoutDescription: String
    let corrupt: (@Sendable (Int, inout [UInt8]) -> Void)?

    /// The size of one read from the local file.
    static let chunkSize = 64 * 1024
    /// Unacknowledged bytes kept in flight: at a 20 ms round trip, 512 KiB per round trip is about 25 MiB/s
    /// (bench/vs-peers). Memory per concurrent upload: this window, one chunk, and libssh2's copies of the
    /// requests in flight.
    static let bytesInFlight = 512 * 1024

    private func timeoutError() -> SSHError {
        SSHError(
            .commandTimeout, host: session.host,
            "upload of \(localPath) to \(remotePath) did not finish within \(timeoutDescription)")
    }

    func run(sessionBroken: inout Bool) throws -> SSHUploadResult {
        let started = ContinuousClock.now
        let fd = open(localPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SSHError(
                .localFile, host: session.host,
                "cannot open \(localPath): \(String(cString: strerror(errno))); check the path")
        }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let fileMode = mode ?? UInt32(info.st_mode) & 0o7777

        let sftp: SFTPSession
        if let existing = state.sftp {
            sftp = existing
        } else {
            sftp = try SFTPSession.start(session, deadline: deadline, timeout: timeoutError)
            state.sftp = sftp
        }
        let temporary = Self.temporaryPath(for: remotePath)
        let (bytes, localDigest): (Int64, String)
        do {
            (bytes, localDigest) = try send(fd, to: temporary, sftp: sftp)
            try verify(temporary, localDigest: localDigest, sessionBroken: &sessionBroken)
            try sftp.setMode(temporary, mode: fileMode, deadline: deadline, timeout: timeoutError)
            try moveIntoPlace(temporary, sftp: sftp, sessionBroken: &sessionBroken)
        } catch {
            let interrupted = (error as? SSHError).map { [.commandTimeout, .cancelled].contains($0.code) } ?? false
            if interrupted {
                // A half-sent packet would make every later call on this session wait for it forever.
                sessionBroken = sessionBroken || session.isWaitingToSend
                // Requests may still be in flight on the SFTP channel: start the next upload on a fresh one.
                state.sftp = nil
            }
            // Clean up even after a cancellation.
            session.cancellation = nil
            if !sessionBroken {
                try? sftp.unlink(temporary, deadline: .after(.seconds(5)), timeout: timeoutError)
            }
            throw error
        }
        return SSHUploadResult(
            remotePath: remotePath, bytes: bytes, sha256: localDigest,
            duration: ContinuousClock.now - started)
    }

    /// Streams the file, hashing what was read locally, with ``bytesInFlight`` bytes in flight (an
    /// ``SFTPWriteWindow``); returns the size and hex digest.
    private func send(_ fd: Int32, to temporary: String, sftp: SFTPSession) throws -> (Int64, String) {
        let file = try SFTPFile.create(sftp, path: temporary, mode: 0o600, deadline: deadline, timeout: timeoutError)
        var hasher = SHA256()
        var window = SFTPWriteWindow(capacity: Self.bytesInFlight)
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var total: Int64 = 0
        var index = 0
        var endOfFile = false
        while true {
            while !endOfFile && window.wantsMore {
                let n = read(fd, &buffer, min(buffer.count, window.room))
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else {
                    throw SSHError(
                        .localFile, host: session.host,
                        "reading \(localPath) failed: \(String(cString: strerror(errno)))")
                }
                if n == 0 {
                    endOfFile = true
                    break
                }
                var chunk = Array(buffer[0..<n])
                hasher.update(data: chunk)
                corrupt?(index, &chunk)
                window.append(chunk[...])
                total += Int64(n)
                index += 1
            }
            if window.pending.isEmpty { break }
            window.acknowledge(try file.writeAcknowledged(window.pending, deadline: deadline, timeout: timeoutError))
        }
        try file.syncAndClose(deadline: deadline, timeout: timeoutError)
        return (total, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// Compares the temporary file's SHA-256 on the host with the local digest (and the expected one).
    private func verify(_ temporary: String, localDigest: String, sessionBroken: inout Bool) throws {
        let result = try remote(ShellQuote.join(["sha256sum", "--", temporary]), sessionBroken: &sessionBroken)
        guard result.succeeded, let remoteDigest = result.stdoutText.split(separator: " ").first.map(String.init),
            remoteDigest.count == 64
        else {
            throw SSHError(
                .sftpFailed, host: session.host,
                "cannot compute the SHA-256 of \(temporary) on the host (is sha256sum installed?): "
                    + result.stderrText)
        }
        if remoteDigest != localDigest {
            throw SSHError(
                .checksumMismatch, host: session.host,
                "the upload of \(localPath) arrived corrupted (local SHA-256 \(localDigest), on the host "
                    + "\(remoteDigest)); the temporary file was deleted and \(remotePath) is untouched. Retry.")
        }
        if let expectedSHA256, expectedSHA256 != localDigest {
            throw SSHError(
                .checksumMismatch, host: session.host,
                "\(localPath) has SHA-256 \(localDigest), not the expected \(expectedSHA256); nothing was "
                    + "installed at \(remotePath). Check that the right artifact was built.")
        }
    }

    /// SFTP rename with overwrite; OpenSSH refuses to replace an existing file that way, so fall back to
    /// `mv -f`, which is an atomic rename(2) within one directory.
    private func moveIntoPlace(_ temporary: String, sftp: SFTPSession, sessionBroken: inout Bool) throws {
        if try sftp.rename(temporary, to: remotePath, deadline: deadline, timeout: timeoutError) { return }
        let result = try remote(
            ShellQuote.join(["mv", "-f", "--", temporary, remotePath]),
            sessionBroken: &sessionBroken)
        guard result.succeeded else {
            throw SSHError(
                .sftpFailed, host: session.host,
                "cannot rename \(temporary) to \(remotePath): \(result.stderrText)")
        }
    }

    private func remote(_ command: String, sessionBroken: inout Bool) throws -> SSHCommandResult {
        try state.run(
            SSHCommandRunner(
                session: session, command: command, stdin: nil, deadline: deadline,
                timeoutDescription: timeoutDescription, output: nil),
            sessionBroken: &sessionBroken)
    }

    /// `.<name>.rollout-tmp-<random>` next to `path`, so the final rename stays within one file system.
    static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let random = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return "\(directory).\(name).rollout-tmp-\(random)"
    }
}
