internal import CLibSSH2
import Foundation

/// Runs one command on a channel: writes stdin, reads stdout and stderr without ever letting either fill its
/// window (the pitfall where a chatty stderr deadlocks a reader blocked on stdout), and collects the exit.
struct SSHCommandRunner {
    let session: SSHSession
    let command: String
    let stdin: [UInt8]?
    let deadline: Deadline
    let timeoutDescription: String
    let output: (@Sendable (SSHOutputChunk) -> Void)?

    func timeoutError() -> SSHError {
        SSHError(
            .commandTimeout, host: session.host,
            "command did not finish within \(timeoutDescription) and its channel was closed (the remote process "
                + "is not killed; bound it on the host with `timeout` if needed): \(command)")
    }

    /// Runs the command. On timeout the channel is closed and `.commandTimeout` is thrown; when even closing the
    /// channel fails, `sessionBroken` is set and the caller must not reuse the session.
    func run(sessionBroken: inout Bool) throws -> SSHCommandResult {
        let started = ContinuousClock.now
        let channel = try SSHChannel.openSession(session, deadline: deadline, timeout: timeoutError)
        let rc = try session.retry(until: deadline, timeout: timeoutError) {
            libssh2_channel_process_startup(channel.handle, "exec", 4, command, UInt32(command.utf8.count))
        }
        try session.check(
            rc, "libssh2_channel_process_startup", .channelFailed, "the server refused to run the command")

        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        do {
            try pump(channel, stdout: &stdout, stderr: &stderr)
        } catch let error as SSHError where error.code == .commandTimeout || error.code == .cancelled {
            sessionBroken = !channel.abandon()
            var error = error
            if sessionBroken { error.message += "; the connection could not close the channel and must be reopened" }
            throw error
        }
        // The exit status may follow EOF: wait for the server's close so it has arrived.
        let closed = try session.retry(until: deadline, timeout: timeoutError) { libssh2_channel_close(channel.handle) }
        try session.check(closed, "libssh2_channel_close", .channelFailed, "closing the command's channel failed")
        let waited = try session.retry(until: deadline, timeout: timeoutError) {
            libssh2_channel_wait_closed(channel.handle)
        }
        try session.check(waited, "libssh2_channel_wait_closed", .channelFailed, "waiting for the channel close failed")
        let signal = channel.exitSignal()
        return SSHCommandResult(
            stdout: stdout, stderr: stderr, exitStatus: signal == nil ? channel.exitStatus : nil,
            exitSignal: signal, duration: ContinuousClock.now - started)
    }

    private func pump(_ channel: SSHChannel, stdout: inout [UInt8], stderr: inout [UInt8]) throws {
        var pending = stdin.map { ArraySlice($0) } ?? []
        var eofSent = false
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var progressed = false
            if !pending.isEmpty {
                let n = channel.write(pending)
                if n > 0 {
                    pending = pending.dropFirst(n)
                    progressed = true
                } else if n != Int(LIBSSH2_ERROR_EAGAIN) {
                    try session.check(Int32(n), "libssh2_channel_write_ex", .channelFailed, "writing stdin failed")
                }
            }
            if pending.isEmpty && !eofSent {
                let rc = libssh2_channel_send_eof(channel.handle)
                if rc == 0 {
                    eofSent = true
                } else if rc != LIBSSH2_ERROR_EAGAIN {
                    try session.check(rc, "libssh2_channel_send_eof", .channelFailed, "closing stdin failed")
                }
            }
            for stream: Int32 in [0, SSH_EXTENDED_DATA_STDERR] {
                while true {
                    let n = channel.read(stream: stream, into: &buffer)
                    if n > 0 {
                        let chunk = Array(buffer[0..<n])
                        if stream == 0 { stdout += chunk } else { stderr += chunk }
                        output?(stream == 0 ? .stdout(chunk) : .stderr(chunk))
                        progressed = true
                        continue
                    }
                    if n < 0 && n != Int(LIBSSH2_ERROR_EAGAIN) {
                        try session.check(
                            Int32(n), "libssh2_channel_read_ex", .channelFailed,
                            "reading the command's output failed")
                    }
                    break
                }
            }
            if channel.isEOF { return }
            if deadline.hasPassed { throw timeoutError() }
            // Reading one stream makes libssh2 take every packet off the socket, so data of the other stream
            // (or of the same one, after our read returned) may now sit in its buffer with nothing left to
            // arrive on the socket: poll only when nothing is buffered, or it would wait out the deadline.
            let buffered =
                libssh2_poll_channel_read(channel.handle, 0) > 0
                || libssh2_poll_channel_read(channel.handle, 1) > 0
            if !progressed && !buffered { try session.wait(until: deadline, timeout: timeoutError) }
        }
    }
}
