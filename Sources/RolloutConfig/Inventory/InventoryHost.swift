/// One host of an inventory, with its variables merged and its connection settings resolved.
public struct InventoryHost: Sendable, Equatable {
    /// The inventory name (`web01`), unique in the inventory.
    public var name: String
    /// Every group containing the host, ancestors and `all` included, in variable precedence order
    /// (shallow groups first, then by name), so the last group's variables win among groups.
    public var groups: [String]
    /// All variables after merging all → parent groups → child groups → host; connection keys appear
    /// under their canonical names (`address`, never `ansible_host`).
    public var vars: [String: ConfigValue]
    /// Where to connect; defaults to the host name.
    public var address: String
    /// SSH port; default 22.
    public var port: Int
    /// SSH user; nil means the controller's user.
    public var user: String?
    public var identityFile: String?
    public var knownHosts: String?
    /// An inventory host name, or `[user@]host[:port]`, comma-separated hops.
    public var proxyJump: String?

    public init(
        name: String, groups: [String] = ["all"], vars: [String: ConfigValue] = [:], address: String? = nil,
        port: Int = 22, user: String? = nil, identityFile: String? = nil, knownHosts: String? = nil,
        proxyJump: String? = nil
    ) {
        self.name = name
        self.groups = groups
        self.vars = vars
        self.address = address ?? name
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.knownHosts = knownHosts
        self.proxyJump = proxyJump
    }
}

/// A group of an inventory as written: its direct hosts and child groups and its own variables.
public struct InventoryGroup: Sendable, Equatable {
    public var name: String
    /// Hosts listed directly in this group, in inventory order. `all` lists none directly: every host is in it;
    /// hosts in no other group are in `ungrouped`, as in Ansible.
    public var hosts: [String]
    /// Direct child groups, sorted by name.
    public var children: [String]
    /// The group's own variables (connection keys under canonical names).
    public var vars: [String: ConfigValue]

    public init(name: String, hosts: [String] = [], children: [String] = [], vars: [String: ConfigValue] = [:]) {
        self.name = name
        self.hosts = hosts
        self.children = children
        self.vars = vars
    }
}
