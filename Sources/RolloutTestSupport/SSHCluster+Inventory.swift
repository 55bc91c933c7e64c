import Foundation

extension SSHCluster {
    /// Writes an Ansible-style YAML inventory of the cluster to `path`:
    ///
    /// ```yaml
    /// all:
    ///   vars: {user: root, identity_file: /abs/key, known_hosts: /abs/known_hosts}
    ///   hosts:
    ///     h1: {address: 127.0.0.1, port: 40001, root: /abs/hosts/h1/root}
    ///   children:
    ///     web: {hosts: {h1: {}, h2: {}}}
    /// ```
    ///
    /// `groups` become `children` (group name → host names, in the given order). With `bastion` (default:
    /// whether the cluster has a bastion) the bastion is listed as a host too and every other host gets
    /// `proxy_jump: bastion`.
    public func writeInventory(to path: String, groups: [(name: String, hosts: [String])] = [], bastion: Bool? = nil)
        throws
    {
        let bastionHost = self.bastion
        let jump = bastion ?? (bastionHost != nil)
        if jump && bastionHost == nil {
            throw TestSupportError("cannot write an inventory through a bastion: the cluster has none")
        }
        var lines = [
            "# Written by SSHCluster for the local sshd cluster in \(yaml(directory)).",
            "all:",
            "  vars: {user: \(yaml(user)), identity_file: \(yaml(userKeyPath)), known_hosts: \(yaml(knownHostsPath))}",
            "  hosts:",
        ]
        for host in hosts {
            let via = jump ? ", proxy_jump: bastion" : ""
            let fields = "address: \(host.address), port: \(host.port), root: \(yaml(host.rootDirectory))\(via)"
            lines.append("    \(host.name): {\(fields)}")
        }
        if jump, let bastionHost {
            lines.append(
                "    bastion: {address: \(bastionHost.address), port: \(bastionHost.port), "
                    + "root: \(yaml(bastionHost.rootDirectory))}")
        }
        if !groups.isEmpty {
            lines.append("  children:")
            for group in groups {
                let members = group.hosts.map { "\($0): {}" }.joined(separator: ", ")
                lines.append("    \(group.name): {hosts: {\(members)}}")
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A YAML scalar: plain when safe, otherwise single-quoted.
    private func yaml(_ value: String) -> String {
        let safe = value.allSatisfy { $0.isLetter || $0.isNumber || "/._-".contains($0) }
        return safe && !value.isEmpty ? value : "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
