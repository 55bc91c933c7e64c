/// A piece of a running command's output, delivered as it arrives.
public enum SSHOutputChunk: Sendable {
    case stdout([UInt8])
    case stderr([UInt8])
}

/// How a remote command ended and everything it printed.
public struct SSHCommandResult: Sendable {
    /// All of standard output.
    public var stdout: [UInt8]
    /// All of standard error.
    public var stderr: [UInt8]
    /// The exit status; nil when the command was killed by a signal (or the server reported none).
    public var exitStatus: Int32?
    /// The terminating signal without `SIG`, e.g. `"KILL"`; nil when the command exited.
    public var exitSignal: String?
    /// From opening the channel to its close.
    public var duration: Duration

    public init(stdout: [UInt8], stderr: [UInt8], exitStatus: Int32?, exitSignal: String?, duration: Duration) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.duration = duration
    }

    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }
    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A file that arrived intact and was renamed into place.
public struct SSHUploadResult: Sendable {
    /// The destination path on the host.
    public var remotePath: String
    /// Bytes transferred.
    public var bytes: Int64
    /// The lowercase hex SHA-256, identical locally and on the host.
    public var sha256: String
    /// From the first byte sent to the rename.
    public var duration: Duration

    public init(remotePath: String, bytes: Int64, sha256: String, duration: Duration) {
        self.remotePath = remotePath
        self.bytes = bytes
        self.sha256 = sha256
        self.duration = duration
    }
}
