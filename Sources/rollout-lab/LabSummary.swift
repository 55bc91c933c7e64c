import RolloutTestSupport

/// The text `rollout-lab up` prints: where everything is and how to use it.
struct LabSummary {
    let cluster: SSHCluster
    let inventory: String

    var text: String {
        var lines = ["started \(cluster.hosts.count) sshd host(s) in \(cluster.directory)"]
        for host in cluster.hosts + (cluster.bastion.map { [$0] } ?? []) {
            let name = host.name.padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append("  \(name) \(host.address):\(host.port)  pid \(host.pid)  root \(host.rootDirectory)")
        }
        lines += [
            "user:        \(cluster.user)",
            "key:         \(cluster.userKeyPath)",
            "known_hosts: \(cluster.knownHostsPath)",
            "inventory:   \(inventory)",
            "stop with:   rollout-lab down --dir \(cluster.directory)",
        ]
        return lines.joined(separator: "\n")
    }
}
