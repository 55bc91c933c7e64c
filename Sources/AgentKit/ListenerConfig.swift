/// One listening socket: TCP (`tcp: host:port`) or a Unix stream socket (`unix: PATH`).
public struct ListenerConfig: Codable, Sendable, Equatable {
    /// The name passed to the service in `LISTEN_FDNAMES` (and matched against systemd's
    /// `FileDescriptorName=` for socket activation).
    public var name: String
    public var tcp: String?
    public var unix: String?
    /// Octal permission bits for a Unix socket, e.g. `"0660"`.
    public var mode: String?
    /// `user` or `user:group` owning a Unix socket.
    public var owner: String?
    /// The listen(2) backlog; large so that connections queue, never refuse, during a handoff.
    public var backlog: Int?

    public init(name: String, tcp: String? = nil, unix: String? = nil, mode: String? = nil, owner: String? = nil) {
        self.name = name
        self.tcp = tcp
        self.unix = unix
        self.mode = mode
        self.owner = owner
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, tcp, unix, mode, owner, backlog }

    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        tcp = try c.decodeIfPresent(String.self, forKey: .tcp)
        unix = try c.decodeIfPresent(String.self, forKey: .unix)
        mode = try c.decodeIfPresent(String.self, forKey: .mode)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        backlog = try c.decodeIfPresent(Int.self, forKey: .backlog)
    }

    /// A stable identity of the address: two listeners with the same key share one socket.
    public var addressKey: String { tcp.map { "tcp:\($0)" } ?? "unix:\(unix ?? "")" }
}
