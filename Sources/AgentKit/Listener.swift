import Glibc

/// A listening socket the agent owns and keeps open across generations.
public struct Listener: Sendable, Equatable {
    /// The name passed in `LISTEN_FDNAMES`.
    public var name: String
    /// `tcp:host:port` or `unix:/path`.
    public var addressKey: String
    /// The agent's fd for it (close-on-exec in the agent; placed at 3+i in each child).
    public var fd: Int32
    /// True when systemd passed it by socket activation (then the agent never unlinks its path).
    public var activated: Bool

    /// Opens the socket `config` describes, or adopts `activatedFD` from systemd when given.
    static func open(_ config: ListenerConfig, activatedFD: Int32?) throws -> Listener {
        if let fd = activatedFD {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            return Listener(name: config.name, addressKey: config.addressKey, fd: fd, activated: true)
        }
        let backlog = Int32(clamping: config.backlog ?? 4096)
        let fd: Int32
        if let tcp = config.tcp {
            fd = try SocketAddress.tcpListener(tcp, backlog: backlog)
        } else {
            let path = config.unix ?? ""
            let mode = config.mode.flatMap { mode_t($0, radix: 8) }
            let owner = try config.owner.map { try UserLookup.owner($0) }
            fd = try SocketAddress.unixListener(path, backlog: backlog, mode: mode, owner: owner)
        }
        return Listener(name: config.name, addressKey: config.addressKey, fd: fd, activated: false)
    }

    /// Closes the socket and removes a Unix socket file the agent created.
    func close() {
        _ = Glibc.close(fd)
        if !activated, addressKey.hasPrefix("unix:") { unlink(String(addressKey.dropFirst(5))) }
    }
}
