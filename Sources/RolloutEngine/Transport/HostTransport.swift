import SSHClient

/// What the engine needs from its connection to one host: run a command line, upload a file checked by its
/// digest, and the controller's own probes toward the host (health checks), then close.
///
/// `SSHConnection` is the only real transport. The other conformer is `SimulatedHost` (`rollout deploy
/// --simulate`), which answers the same commands from memory and never touches the network. Everything above this
/// protocol — the engine, the journal, the lock, the reporters — is the same for both.
public protocol HostTransport: AnyObject, Sendable {
    /// Runs `command` (a shell command line) with `stdin` written then closed; returns its output and exit.
    /// A non-zero exit is a result, not an error; errors mean the host or the channel failed (`SSHError`).
    func execute(
        _ command: String, stdin: [UInt8]?, timeout: Duration?, output: (@Sendable (SSHOutputChunk) -> Void)?
    ) async throws -> SSHCommandResult

    /// Puts the local file at `remotePath` so that the path keeps its old content or gets exactly the new one,
    /// checked by SHA-256 (and against `expectedSHA256` when given).
    func upload(
        from localPath: String, to remotePath: String, mode: UInt32?, expectedSHA256: String?, timeout: Duration?
    ) async throws -> SSHUploadResult

    /// An HTTP GET the controller itself sends to the host (an `http` health check).
    func httpGet(_ url: String, timeout: Duration) async throws -> HTTPProbeResponse

    /// A TCP connection the controller itself opens to the host and closes (a `tcp` health check).
    func tcpConnect(host: String, port: Int, timeout: Duration) async throws

    /// Closes the connection; later operations fail.
    func close() async
}

extension HostTransport {
    /// The probes of a real transport go over the network from the controller.
    public func httpGet(_ url: String, timeout: Duration) async throws -> HTTPProbeResponse {
        try await HTTPProbe.get(url, timeout: timeout)
    }

    public func tcpConnect(host: String, port: Int, timeout: Duration) async throws {
        try await HTTPProbe.connect(host: host, port: port, timeout: timeout)
    }

    /// Runs `command` without streaming its output.
    public func execute(_ command: String, stdin: [UInt8]? = nil, timeout: Duration? = nil) async throws
        -> SSHCommandResult
    {
        try await execute(command, stdin: stdin, timeout: timeout, output: nil)
    }
}

extension SSHConnection: HostTransport {}
