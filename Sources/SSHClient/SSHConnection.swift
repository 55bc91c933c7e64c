import Foundation

/// One authenticated SSH connection to a host, reused for every command and upload to it.
///
/// All libssh2 work happens on threads of ``SSHThreadPool`` (never on Swift's cooperative pool), lent to the
/// connection while it has work, in non-blocking mode with `poll`, so every operation honours its timeout.
/// Operations on one connection run one after another; connections to different hosts run in parallel. An idle
/// connection holds its socket and its libssh2 session, no thread.
public final class SSHConnection: Sendable {
    /// The endpoint this connection was made to.
    public let endpoint: SSHEndpoint
    /// The verified host key's fingerprint, `SHA256:<base64 without padding>` as `ssh-keygen -l` prints it.
    public let hostKeyFingerprint: String
    let executor: SSHExecutor
    let state: SSHConnectionState
    /// The shared bastion connection carrying this one, when the endpoint has `jump` hops.
    let bastion: SSHBastionLease?
    /// Test hooks (fault injection); empty in production.
    let hooks = SSHConnectionHooks()

    private init(
        endpoint: SSHEndpoint, fingerprint: String, executor: SSHExecutor, state: SSHConnectionState,
        bastion: SSHBastionLease?
    ) {
        self.endpoint = endpoint
        hostKeyFingerprint = fingerprint
        self.executor = executor
        self.state = state
        self.bastion = bastion
    }

    deinit {
        executor.shutdown { [state] in state.teardown() }
    }

    /// Connects, verifies the host key against `known_hosts` and authenticates, all within
    /// `options.connectTimeout` (TCP connect, banner, key exchange, authentication; with bastions, every hop).
    ///
    /// Throws ``SSHError`` (`.connectTimeout`, `.connectFailed`, `.handshakeFailed`, `.hostKeyUnknown`,
    /// `.hostKeyChanged`, `.hostKeyRevoked`, `.authenticationFailed`, `.cancelled` when the calling task is
    /// cancelled during the SSH handshake).
    public static func connect(_ endpoint: SSHEndpoint, options: SSHOptions) async throws -> SSHConnection {
        try await connect(endpoint, options: options, deadline: .after(options.connectTimeout))
    }

    private static func connect(_ endpoint: SSHEndpoint, options: SSHOptions, deadline: Deadline) async throws
        -> SSHConnection
    {
        var bastion: SSHBastionLease?
        var tunnelSocket: Int32?
        if let hop = endpoint.jump.last {
            var hopEndpoint = hop
            hopEndpoint.jump = Array(endpoint.jump.dropLast()) + hop.jump
            // A shared bastion connection may have broken since it was made: then make a new one, once.
            for attempt in 1...2 {
                let lease = try await SSHBastionPool.shared.lease(hopEndpoint, options: options) { [hopEndpoint] in
                    try await connect(hopEndpoint, options: options, deadline: deadline)
                }
                do {
                    tunnelSocket = try await lease.connection.openTunnel(to: endpoint, deadline: deadline)
                    bastion = lease
                    break
                } catch let error as SSHError where error.code == .disconnected && attempt == 1 {
                    lease.evict()
                    lease.release()
                }
            }
        }
        let executor = SSHExecutor(name: "ssh \(endpoint.hostDescription)")
        let state = SSHConnectionState()
        do {
            let fingerprint = try await executor.run { [tunnelSocket] cancellation in
                try handshake(
                    endpoint, options: options, deadline: deadline, socket: tunnelSocket, state: state,
                    executor: executor, cancellation: cancellation)
            }
            return SSHConnection(
                endpoint: endpoint, fingerprint: fingerprint, executor: executor, state: state,
                bastion: bastion)
        } catch {
            executor.shutdown { state.teardown() }
            bastion?.release()
            throw error
        }
    }

    /// Runs on the executor: TCP (unless tunnelled), SSH handshake, host key check, authentication.
    private static func handshake(
        _ endpoint: SSHEndpoint, options: SSHOptions, deadline: Deadline, socket: Int32?,
        state: SSHConnectionState, executor: SSHExecutor, cancellation: SSHCancellation
    ) throws -> String {
        let host = endpoint.hostDescription
        let budget = options.connectTimeout.shortDescription
        let via = endpoint.jump.isEmpty ? "" : " (through bastion \(endpoint.jump.last!.hostDescription))"
        let fd = try socket ?? tcpConnect(endpoint, deadline: deadline, budget: options.connectTimeout)
        let session = try SSHSession(socket: fd, host: host)
        session.executor = executor
        session.cancellation = cancellation
        defer { session.cancellation = nil }
        var stage = "the SSH banner and key exchange"
        let timeout = {
            SSHError(
                .connectTimeout, host: host,
                "connected\(via), but \(stage) did not finish within the \(budget) connect timeout; the server "
                    + "is not answering (overloaded, hung or stopped sshd?)")
        }
        try session.handshake(until: deadline, timeout: timeout)
        let fingerprint = try KnownHosts(endpoint: endpoint).verify(session, checking: options.hostKeyChecking)
        stage = "authentication"
        try SSHAuthenticator(endpoint: endpoint, options: options, deadline: deadline, timeout: timeout)
            .authenticate(session)
        state.session = session
        state.useSharedShell = options.sharedShell
        return fingerprint
    }

    /// Runs `command` with the login shell of the user and returns its output and exit.
    ///
    /// stdout and stderr are read concurrently (no deadlock however much either produces), passed to `output`
    /// as they arrive (on the connection's thread, in order; the callback must not block) and accumulated in the
    /// result. `stdin`, when given, is written and then closed; otherwise
    /// the command sees an empty stdin. After `timeout` (or when the calling task is cancelled) the channel is
    /// closed and `.commandTimeout` (`.cancelled`) is thrown; the connection stays usable unless the error says
    /// otherwise. libssh2 1.10 cannot signal the remote process, so it is not killed: bound long commands on the
    /// host with `timeout(1)`.
    public func execute(
        _ command: String, stdin: [UInt8]? = nil, timeout: Duration? = nil,
        output: (@Sendable (SSHOutputChunk) -> Void)? = nil
    ) async throws -> SSHCommandResult {
        try await executor.run { [state] cancellation in
            let session = try state.usableSession(host: self.endpoint.hostDescription)
            session.cancellation = cancellation
            defer { session.cancellation = nil }
            let runner = SSHCommandRunner(
                session: session, command: command, stdin: stdin,
                deadline: .after(timeout), timeoutDescription: timeout?.shortDescription ?? "",
                output: output)
            return try state.guarding { broken in try state.run(runner, sessionBroken: &broken) }
        }
    }

    /// Closes the connection; a bastion connection it ran through closes once no other connection uses it.
    /// Later operations throw `.disconnected`.
    public func close() async {
        _ = try? await executor.run { [state] _ in state.teardown() }
        bastion?.release()
    }

    /// Opens a `direct-tcpip` channel to `target` and returns the socket for the inner session; the tunnel is
    /// pumped by this connection's executor.
    private func openTunnel(to target: SSHEndpoint, deadline: Deadline) async throws -> Int32 {
        try await executor.run { [state, executor, endpoint] _ in
            let session = try state.usableSession(host: endpoint.hostDescription)
            let timeout = {
                SSHError(
                    .connectTimeout, host: target.hostDescription,
                    "the bastion \(endpoint.hostDescription) did not open a forward within the connect timeout")
            }
            let channel = try SSHChannel.directTCPIP(
                session, to: target.address, port: target.port,
                deadline: deadline, timeout: timeout)
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
                throw SSHError(.connectFailed, host: target.hostDescription, "socketpair failed: errno \(errno)")
            }
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            executor.addIdleWork(SSHTunnel(channel: channel, localFD: fds[0]))
            return fds[1]
        }
    }
}

/// The mutable part of a connection; touched only from its executor's jobs.
final class SSHConnectionState: @unchecked Sendable {
    var session: SSHSession?
    var sftp: SFTPSession?
    /// Whether commands without streamed output go through one shared shell (``SSHOptions/sharedShell``).
    var useSharedShell = false
    var sharedShell: SharedShell?
    /// Why the session cannot be used any more, once it cannot.
    var brokenReason: String?

    func usableSession(host: String) throws -> SSHSession {
        if let brokenReason {
            throw SSHError(.disconnected, host: host, "the connection is unusable (\(brokenReason)); connect again")
        }
        guard let session else {
            throw SSHError(.disconnected, host: host, "the connection is closed; connect again")
        }
        return session
    }

    /// Runs `body`; marks the connection broken when it reports so or throws `.disconnected`.
    func guarding<T>(_ body: (inout Bool) throws -> T) throws -> T {
        var broken = false
        do {
            let result = try body(&broken)
            if broken { brokenReason = "a command's channel could not be closed" }
            return result
        } catch let error as SSHError {
            if broken || error.code == .disconnected { brokenReason = error.message }
            throw error
        }
    }

    func teardown() {
        if let sharedShell { _ = sharedShell.close() }
        sharedShell = nil
        sftp = nil
        session = nil
    }

    /// Runs `runner`'s command: in the shared shell when enabled and the command streams no output and has a
    /// small stdin (the shell is started on first use; on a host where it cannot start, every later command gets
    /// its own channel), otherwise on a new session channel.
    func run(_ runner: SSHCommandRunner, sessionBroken: inout Bool) throws -> SSHCommandResult {
        guard useSharedShell, runner.output == nil, (runner.stdin?.count ?? 0) <= 64 * 1024 else {
            return try runner.run(sessionBroken: &sessionBroken)
        }
        let session = runner.session
        let shell: SharedShell
        if let sharedShell {
            shell = sharedShell
        } else {
            do {
                shell = try SharedShell.start(session, deadline: runner.deadline, timeout: runner.timeoutError)
                sharedShell = shell
            } catch let error as SSHError where error.code == .commandTimeout || error.code == .cancelled {
                sessionBroken = session.isWaitingToSend
                throw error
            } catch let error as SSHError where error.code == .channelFailed {
                // No mktemp or base64 on the host, or a login shell that cannot exec sh: a channel per command.
                useSharedShell = false
                return try runner.run(sessionBroken: &sessionBroken)
            }
        }
        do {
            return try shell.run(
                runner.command, stdin: runner.stdin, deadline: runner.deadline, timeout: runner.timeoutError)
        } catch {
            // A timeout, a cancellation or a broken loop leaves the shell in an unknown state: the next command
            // starts a new one. Like a command's own channel, closing it does not kill what is still running.
            sharedShell = nil
            if !shell.close() { sessionBroken = true }
            throw error
        }
    }
}

/// Internal hooks that tests set through `@testable import` to inject faults.
final class SSHConnectionHooks: @unchecked Sendable {
    private let lock = NSLock()
    private var _corruptUploadChunk: (@Sendable (Int, inout [UInt8]) -> Void)?

    /// Called with each chunk of an upload (index, bytes) after it was hashed and before it is sent: lets a test
    /// corrupt what reaches the host.
    var corruptUploadChunk: (@Sendable (Int, inout [UInt8]) -> Void)? {
        get { lock.withLock { _corruptUploadChunk } }
        set { lock.withLock { _corruptUploadChunk = newValue } }
    }
}
