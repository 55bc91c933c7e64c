/// Where and as whom to log in: one SSH server, optionally reached through bastions.
public struct SSHEndpoint: Sendable, Hashable {
    /// Host name or IP address.
    public var address: String
    /// TCP port of the SSH server.
    public var port: Int
    /// The login user.
    public var user: String
    /// Private key files tried in order after ssh-agent. Empty means `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`,
    /// those that exist.
    public var identityFiles: [String]
    /// The OpenSSH `known_hosts` file to check the host key against; nil means `~/.ssh/known_hosts`.
    public var knownHostsFile: String?
    /// Bastions to hop through (like `ProxyJump`), outermost first; empty connects directly.
    /// Each bastion's host key is checked against its own `knownHostsFile`.
    public var jump: [SSHEndpoint]

    public init(
        address: String, port: Int = 22, user: String, identityFiles: [String] = [], knownHostsFile: String? = nil,
        jump: [SSHEndpoint] = []
    ) {
        self.address = address
        self.port = port
        self.user = user
        self.identityFiles = identityFiles
        self.knownHostsFile = knownHostsFile
        self.jump = jump
    }

    /// `address:port`, as errors name the host.
    public var hostDescription: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }

    /// The `known_hosts` host field for this endpoint: `address`, or `[address]:port` when the port is not 22.
    var knownHostsName: String { port == 22 ? address : "[\(address)]:\(port)" }
}
