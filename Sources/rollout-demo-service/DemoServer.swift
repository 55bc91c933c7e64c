import Glibc
import Synchronization

/// The running service: its listeners, its identity, and the drain state all threads share.
///
/// One accept thread polls every listener; each accepted connection gets its own thread. A
/// drain (SIGTERM) makes the accept thread stop calling `accept` — it never closes or shuts
/// down a listener, because that socket is shared with the next generation and its queue of
/// not-yet-accepted connections must survive us. Connections already open finish the request
/// they are reading and are then closed (see `HTTPConnection`).
final class DemoServer: Sendable {
    let listeners: [Listener]
    let version: String
    let pid = getpid()
    private let messageFile: String?
    private let configFile: String?
    private let message = Mutex<String?>(nil)

    private let draining = Atomic<Bool>(false)
    private let drainStartedAt = Atomic<Int64>(0)
    private let openConnections = Atomic<Int>(0)
    private let acceptLoopRunning = Atomic<Bool>(false)
    /// Written once when the drain starts and never read, so it stays readable: every `poll`
    /// that includes it (the accept loop, idle connections) wakes at once and keeps waking.
    private let drainSignalRead: Int32
    private let drainSignalWrite: Int32

    /// Throws `DemoConfigError` when `configFile` is given and invalid: like nginx, the service refuses to
    /// start on a configuration it would reject at reload.
    init(listeners: [Listener], version: String, messageFile: String?, configFile: String? = nil) throws {
        self.listeners = listeners
        self.version = version
        self.messageFile = messageFile
        self.configFile = configFile
        var fds: [Int32] = [0, 0]
        try sys("pipe") { pipe(&fds) }
        try fds.forEach(setCloseOnExec)
        drainSignalRead = fds[0]
        drainSignalWrite = fds[1]
        reloadMessage()
        if let rejected = reloadConfig() { throw rejected }
    }

    var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Monotonic milliseconds when the drain began, 0 before.
    var drainStartMilliseconds: Int64 { drainStartedAt.load(ordering: .acquiring) }

    /// The fd to include in a `poll` that must end when the drain starts.
    var drainSignalFD: Int32 { drainSignalRead }

    var currentMessage: String? { message.withLock { $0 } }

    /// Re-reads `--config` (on SIGHUP): a valid file replaces the message at once; an invalid one changes
    /// nothing and is returned, so the caller can report the rejection. Nil without `--config`.
    func reloadConfig() -> DemoConfigError? {
        guard let configFile else { return nil }
        switch DemoConfig.load(configFile) {
        case .success(let config):
            message.withLock { $0 = config.message }
            return nil
        case .failure(let error):
            return error
        }
    }

    /// Re-reads `--message-file` (on SIGHUP). A file that cannot be read keeps the old message.
    func reloadMessage() {
        guard let messageFile else { return }
        guard let bytes = readFile(messageFile) else {
            log("cannot read message file \(messageFile): \(String(cString: strerror(errno)))")
            return
        }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        let loaded = text
        message.withLock { $0 = loaded }
    }

    /// Starts the accept thread. Connections are only taken from now on, so a slow or never-ready
    /// start leaves them queued for the generation that is still serving.
    func startAccepting() throws {
        acceptLoopRunning.store(true, ordering: .releasing)
        try startThread { [self] in
            acceptLoop()
            acceptLoopRunning.store(false, ordering: .releasing)
        }
    }

    /// Stops accepting and lets open connections wind down. Safe to call more than once.
    func beginDrain() {
        guard !draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        drainStartedAt.store(monotonicMilliseconds(), ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(drainSignalWrite, &byte, 1)
    }

    /// Waits until the accept loop has stopped and every connection is closed, or the deadline.
    /// Returns the number of connections still open (0 means a clean drain).
    func waitUntilDrained(deadlineMilliseconds: Int64) -> Int {
        while true {
            let open = openConnections.load(ordering: .acquiring)
            if open == 0 && !acceptLoopRunning.load(ordering: .acquiring) { return 0 }
            if monotonicMilliseconds() >= deadlineMilliseconds { return max(open, 1) }
            sleepMilliseconds(5)
        }
    }

    private func acceptLoop() {
        var pollSet = listeners.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        pollSet.append(pollfd(fd: drainSignalRead, events: Int16(POLLIN), revents: 0))
        while !isDraining {
            let ready = poll(&pollSet, nfds_t(pollSet.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                log("poll on listeners failed: \(String(cString: strerror(errno))); no longer accepting")
                return
            }
            // Checked before accepting so that a drain that raced with a new connection leaves
            // the connection in the shared queue for the next generation.
            if isDraining { return }
            for index in listeners.indices where pollSet[index].revents != 0 {
                acceptPending(on: listeners[index])
            }
        }
    }

    /// Accepts one connection from a non-blocking listener. Another process sharing the socket
    /// may have taken it first; `EAGAIN` is that race, not an error.
    private func acceptPending(on listener: Listener) {
        let fd = accept(listener.fd, nil, nil)
        if fd < 0 {
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED: return
            default:
                // EMFILE and friends: back off rather than spin on a listener that stays readable.
                log("accept on \(listener.name): \(String(cString: strerror(errno)))")
                sleepMilliseconds(10)
            }
            return
        }
        _ = try? setCloseOnExec(fd)
        openConnections.add(1, ordering: .acquiringAndReleasing)
        do {
            try startThread { [self] in
                HTTPConnection(fd: fd, server: self).serve()
                close(fd)
                openConnections.subtract(1, ordering: .acquiringAndReleasing)
            }
        } catch {
            log("cannot start a connection thread: \(error)")
            close(fd)
            openConnections.subtract(1, ordering: .acquiringAndReleasing)
        }
    }
}
