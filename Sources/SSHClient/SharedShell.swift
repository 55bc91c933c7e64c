internal import CLibSSH2
import Foundation

/// One long-lived `sh` per connection that runs commands sent over its standard input (``SharedShellFraming``).
///
/// A command on a new session channel costs the host a new login shell, and bash sources `~/.bashrc` for every
/// command sshd starts: with a heavy one (pyenv, nvm, conda) that is 100–200 ms of CPU per command, paid again
/// for each of the dozen small commands a host's rollout runs. The shared shell pays it once per connection.
/// Used only from its connection's executor, one job at a time.
final class SharedShell {
    private let channel: SSHChannel
    private var reader = SharedShellFraming.Reader()
    private var nextID = 1
    /// The tail of what the loop itself wrote to stderr (shown when it ends unexpectedly).
    private var loopErrors: [UInt8] = []

    private init(channel: SSHChannel) {
        self.channel = channel
    }

    /// Starts the loop through the login shell and waits for its ready line.
    static func start(_ session: SSHSession, deadline: Deadline, timeout: () -> SSHError) throws -> SharedShell {
        let channel = try SSHChannel.openSession(session, deadline: deadline, timeout: timeout)
        let command = SharedShellFraming.startCommand
        let rc = try session.retry(until: deadline, timeout: timeout) {
            libssh2_channel_process_startup(channel.handle, "exec", 4, command, UInt32(command.utf8.count))
        }
        try session.check(rc, "libssh2_channel_process_startup", .channelFailed, "the server refused to start a shell")
        let shell = SharedShell(channel: channel)
        _ = try shell.pump(until: deadline, timeout: timeout) { $0.awaitReady() ? true : nil }
        return shell
    }

    /// Runs `command` with `stdin` and returns its output and exit status (128+N when a signal killed it).
    /// Throws the timeout error when `deadline` passes; the shell must then be closed (``close()``).
    func run(_ command: String, stdin: [UInt8]?, deadline: Deadline, timeout: () -> SSHError) throws
        -> SSHCommandResult
    {
        let started = ContinuousClock.now
        let id = nextID
        nextID += 1
        var pending = ArraySlice(SharedShellFraming.request(id: id, command: command, stdin: stdin))
        while !pending.isEmpty {
            let n = channel.write(pending)
            if n > 0 {
                pending = pending.dropFirst(n)
            } else if n == Int(LIBSSH2_ERROR_EAGAIN) {
                try channel.session.wait(until: deadline, timeout: timeout)
            } else {
                try channel.session.check(
                    Int32(n), "libssh2_channel_write_ex", .channelFailed, "writing to the shared shell failed")
            }
        }
        let response = try pump(until: deadline, timeout: timeout) { try $0.nextResponse() }
        guard response.id == id else {
            throw SSHError(
                .channelFailed, host: channel.session.host,
                "the shared shell answered request \(response.id) instead of \(id); the shell is closed")
        }
        return SSHCommandResult(
            stdout: response.stdout, stderr: response.stderr, exitStatus: response.status, exitSignal: nil,
            duration: ContinuousClock.now - started)
    }

    /// Ends the loop (end of its input, which also removes its temporary directory) without waiting for it.
    /// Returns whether the session is still consistent (see ``SSHChannel/abandon()``).
    func close() -> Bool {
        _ = libssh2_channel_send_eof(channel.handle)
        return channel.abandon()
    }

    /// Reads the loop's output until `complete` returns a value.
    private func pump<T>(
        until deadline: Deadline, timeout: () -> SSHError, _ complete: (inout SharedShellFraming.Reader) throws -> T?
    ) throws -> T {
        let session = channel.session
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var progressed = false
            for stream: Int32 in [0, SSH_EXTENDED_DATA_STDERR] {
                while true {
                    let n = channel.read(stream: stream, into: &buffer)
                    if n > 0 {
                        if stream == 0 {
                            reader.append(buffer[0..<n])
                        } else {
                            loopErrors = Array((loopErrors + buffer[0..<n]).suffix(2000))
                        }
                        progressed = true
                        continue
                    }
                    if n < 0 && n != Int(LIBSSH2_ERROR_EAGAIN) {
                        try session.check(
                            Int32(n), "libssh2_channel_read_ex", .channelFailed, "reading from the shared shell failed")
                    }
                    break
                }
            }
            do {
                if let value = try complete(&reader) { return value }
            } catch let error as SharedShellFraming.ProtocolError {
                throw SSHError(.channelFailed, host: session.host, "the shared shell broke its framing: \(error)")
            }
            if channel.isEOF {
                let said = String(decoding: loopErrors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw SSHError(
                    .channelFailed, host: session.host,
                    "the shared shell on the host ended (exit \(channel.exitStatus))"
                        + (said.isEmpty ? "" : ": \(said)"))
            }
            if deadline.hasPassed { throw timeout() }
            let buffered =
                libssh2_poll_channel_read(channel.handle, 0) > 0 || libssh2_poll_channel_read(channel.handle, 1) > 0
            if !progressed && !buffered { try session.wait(until: deadline, timeout: timeout) }
        }
    }
}
