import Foundation

/// One `sshd` of an ``SSHCluster``.
public struct SSHClusterHost: Sendable, Codable, Hashable {
    /// `h1`...`hN`, or `bastion`.
    public var name: String
    /// Always `127.0.0.1`.
    public var address: String
    /// The port the sshd listens on.
    public var port: Int
    /// The sshd listener's pid.
    public var pid: pid_t
    /// The directory that stands for this host's filesystem (deployments go below it).
    public var rootDirectory: String
    /// The sshd log (`-E`, LogLevel DEBUG1: shows logins, exec requests and direct-tcpip forwards).
    public var logFile: String
    /// The host key's fingerprint as `ssh-keygen -l -E sha256` prints it: `SHA256:<base64 without padding>`.
    public var hostKeyFingerprint: String
    /// The host's public key line, `ssh-ed25519 AAAA...`.
    public var hostPublicKey: String
    /// The host's private host key file.
    public var hostKeyPath: String

    /// The `known_hosts` host field for this host: `[127.0.0.1]:port`.
    public var knownHostsName: String { port == 22 ? address : "[\(address)]:\(port)" }

    /// The contents of the sshd log so far.
    public func log() -> String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
}

/// What `<dir>/cluster.json` records, so `rollout-lab status/down` can find daemonized servers.
struct SSHClusterState: Codable {
    var directory: String
    var user: String
    var hosts: [SSHClusterHost]
    var bastion: SSHClusterHost?

    var allHosts: [SSHClusterHost] { hosts + (bastion.map { [$0] } ?? []) }

    static func path(in directory: String) -> String { directory + "/cluster.json" }
}
