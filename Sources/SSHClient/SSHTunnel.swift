internal import CLibSSH2
import Foundation

/// Carries an inner SSH session through a bastion: bytes move between one end of a socketpair (the other end is
/// the inner libssh2 session's socket) and a `direct-tcpip` channel on the bastion's session.
///
/// Pumped by the bastion connection's executor while it has no other job (see ``SSHExecutor``).
final class SSHTunnel: SSHIdleWork {
    private let channel: SSHChannel
    private let fd: Int32
    private var toChannel: ArraySlice<UInt8> = []
    private var toLocal: ArraySlice<UInt8> = []
    private var localEOF = false
    private var channelEOF = false
    private var eofSent = false
    /// The last channel write returned EAGAIN: libssh2 may hold a half-sent packet of ours.
    private var writeBlocked = false
    private var buffer = [UInt8](repeating: 0, count: 32 * 1024)

    init(channel: SSHChannel, localFD: Int32) {
        self.channel = channel
        fd = localFD
    }

    deinit { close(fd) }

    func pollDescriptors() -> [pollfd] {
        var fds: [pollfd] = []
        var socketEvents: Int16 = 0
        // Only wait for the bastion's data when there is room to pass it on; otherwise poll would spin.
        if toLocal.isEmpty && !channelEOF { socketEvents |= Int16(POLLIN) }
        if libssh2_session_block_directions(channel.session.handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 {
            socketEvents |= Int16(POLLOUT)
        }
        if socketEvents != 0 { fds.append(pollfd(fd: channel.session.socket, events: socketEvents, revents: 0)) }
        var localEvents: Int16 = 0
        if toChannel.isEmpty && !localEOF { localEvents |= Int16(POLLIN) }
        if !toLocal.isEmpty { localEvents |= Int16(POLLOUT) }
        if localEvents != 0 { fds.append(pollfd(fd: fd, events: localEvents, revents: 0)) }
        return fds
    }

    func pump() -> SSHIdleProgress {
        var moved = false
        for _ in 0..<64 {
            guard let progressed = step() else { return .finished }
            moved = moved || progressed
            if !progressed { break }
        }
        guard flushPendingPacket() else { return .finished }
        // Finished once the inner session hung up and all it sent reached the channel, or the far end closed
        // and all it sent reached the inner session.
        if (localEOF && toChannel.isEmpty) || (channelEOF && toLocal.isEmpty) { return .finished }
        return moved ? .progressed : .idle
    }

    /// While libssh2 holds a half-sent packet of this tunnel (the socket was full), waits for the socket and
    /// resends it, so that no other user of the bastion session is blocked by it. False when it does not drain.
    private func flushPendingPacket() -> Bool {
        let deadline = Deadline.after(.seconds(30))
        while writeBlocked
            && libssh2_session_block_directions(channel.session.handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
        {
            if deadline.hasPassed { return false }
            var pfd = pollfd(fd: channel.session.socket, events: Int16(POLLOUT), revents: 0)
            _ = poll(&pfd, 1, deadline.pollTimeout())
            guard step() != nil else { return false }
        }
        return true
    }

    /// One round in both directions: whether anything moved, nil when the tunnel broke.
    private func step() -> Bool? {
        var progressed = false
        if toChannel.isEmpty && !localEOF {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 {
                toChannel = buffer[0..<n]
                progressed = true
            } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                localEOF = true
            }
        }
        writeBlocked = false
        if !toChannel.isEmpty {
            let n = channel.write(toChannel)
            writeBlocked = n == Int(LIBSSH2_ERROR_EAGAIN)
            if n > 0 {
                toChannel = toChannel.dropFirst(n)
                progressed = true
            } else if n != Int(LIBSSH2_ERROR_EAGAIN) {
                return nil
            }
        }
        if localEOF && toChannel.isEmpty && !eofSent {
            eofSent = libssh2_channel_send_eof(channel.handle) != LIBSSH2_ERROR_EAGAIN
        }
        if !toLocal.isEmpty {
            let n = toLocal.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n > 0 {
                toLocal = toLocal.dropFirst(n)
                progressed = true
            } else if errno != EAGAIN && errno != EINTR {
                return nil
            }
        }
        if toLocal.isEmpty && !channelEOF {
            let n = channel.read(stream: 0, into: &buffer)
            if n > 0 {
                toLocal = buffer[0..<n]
                progressed = true
            } else if n == 0 || (n < 0 && n != Int(LIBSSH2_ERROR_EAGAIN)) || channel.isEOF {
                channelEOF = true
                shutdown(fd, Int32(SHUT_WR))
            }
        }
        return progressed
    }
}
