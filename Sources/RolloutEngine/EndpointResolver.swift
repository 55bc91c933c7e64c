import Foundation
import RolloutConfig
import SSHClient

/// Turns inventory hosts into SSH endpoints: defaults, `~` expansion and `proxy_jump` hops.
///
/// A `proxy_jump` hop names either another inventory host (which brings its own address, port,
/// user, key and jump chain) or an OpenSSH-style `[user@]host[:port]`; comma-separated hops are
/// passed through in order, outermost bastion first, as `ssh -J` does.
public struct EndpointResolver: Sendable {
    public var inventory: Inventory
    /// The user for hosts that name none (the controller's own user, as OpenSSH does).
    public var defaultUser: String
    /// The key for hosts whose inventory names no `identity_file` (CI: a secret written to a file), tried before
    /// the ssh-agent's keys; by default the `ROLLOUT_SSH_KEY` environment variable.
    public var defaultIdentityFile: String?

    public init(
        inventory: Inventory, defaultUser: String = EndpointResolver.currentUser(),
        defaultIdentityFile: String? = ProcessInfo.processInfo.environment["ROLLOUT_SSH_KEY"].flatMap {
            $0.isEmpty ? nil : $0
        }
    ) {
        self.inventory = inventory
        self.defaultUser = defaultUser
        self.defaultIdentityFile = defaultIdentityFile
    }

    /// The endpoint for `host`, with its whole jump chain resolved.
    public func endpoint(for host: InventoryHost) throws -> SSHEndpoint {
        try endpoint(for: host, visiting: [])
    }

    private func endpoint(for host: InventoryHost, visiting: [String]) throws -> SSHEndpoint {
        if visiting.contains(host.name) {
            throw ConfigError(
                .invalidValue, file: inventory.file, key: "proxy_jump",
                message: "proxy_jump loops: \((visiting + [host.name]).joined(separator: " -> "))")
        }
        let user = host.user ?? defaultUser
        let identityFiles = (host.identityFile ?? defaultIdentityFile).map { [Self.expandTilde($0)] } ?? []
        let knownHosts = host.knownHosts.map(Self.expandTilde)
        var jump: [SSHEndpoint] = []
        for hop in (host.proxyJump ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) })
        where !hop.isEmpty {
            if let bastion = inventory.hosts.first(where: { $0.name == hop }) {
                let resolved = try endpoint(for: bastion, visiting: visiting + [host.name])
                // The bastion's own hops come before it, as with nested ProxyJump in OpenSSH.
                jump += resolved.jump
                var direct = resolved
                direct.jump = []
                jump.append(direct)
            } else {
                jump.append(
                    try Self.parseHop(
                        hop, defaultUser: user, identityFiles: identityFiles,
                        knownHosts: knownHosts, file: inventory.file))
            }
        }
        return SSHEndpoint(
            address: host.address, port: host.port, user: user, identityFiles: identityFiles,
            knownHostsFile: knownHosts, jump: jump)
    }

    /// Parses `[user@]host[:port]` (IPv6 as `[::1]:22`).
    static func parseHop(
        _ text: String, defaultUser: String, identityFiles: [String], knownHosts: String?,
        file: String
    ) throws -> SSHEndpoint {
        var rest = Substring(text)
        var user = defaultUser
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        var address = String(rest)
        var port = 22
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            address = String(rest[rest.index(after: rest.startIndex)..<close])
            let tail = rest[rest.index(after: close)...]
            if tail.hasPrefix(":") { port = Int(tail.dropFirst()) ?? -1 }
        } else if let colon = rest.lastIndex(of: ":") {
            address = String(rest[..<colon])
            port = Int(rest[rest.index(after: colon)...]) ?? -1
        }
        guard !address.isEmpty, !user.isEmpty, (1...65535).contains(port) else {
            throw ConfigError(
                .invalidValue, file: file, key: "proxy_jump",
                message: "invalid hop `\(text)`: use an inventory host name or [user@]host[:port]")
        }
        return SSHEndpoint(
            address: address, port: port, user: user, identityFiles: identityFiles,
            knownHostsFile: knownHosts)
    }

    static func expandTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + path.dropFirst()
    }

    /// The user this process runs as (`getpwuid(geteuid())`, then `$USER`).
    public static func currentUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
