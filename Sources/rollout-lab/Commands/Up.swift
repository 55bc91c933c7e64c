import ArgumentParser
import Foundation
import RolloutTestSupport

/// `rollout-lab up`: starts the cluster as daemons that outlive the command and writes `DIR/inventory.yml`.
struct Up: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start N sshd hosts (and optionally a bastion) as daemons; write DIR/inventory.yml.")

    @Option(help: "Number of hosts (h1...hN).")
    var hosts: Int = 3

    @Option(help: "Directory for keys, configs, logs, host roots and the inventory.")
    var dir: String

    @Flag(help: "Also start a bastion and reach every host through it (proxy_jump) in the inventory.")
    var bastion = false

    @Option(name: .customLong("group"), help: "A host group for the inventory, as NAME=h1,h2 (repeatable).")
    var groups: [String] = []

    func validate() throws {
        guard (1...200).contains(hosts) else { throw ValidationError("--hosts must be between 1 and 200") }
        for group in try parsedGroups() {
            if let unknown = group.hosts.first(where: { name in !(1...hosts).contains { "h\($0)" == name } }) {
                throw ValidationError("--group \(group.name): no host '\(unknown)' (hosts are h1...h\(hosts))")
            }
        }
    }

    private func parsedGroups() throws -> [(name: String, hosts: [String])] {
        try groups.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--group must look like NAME=h1,h2, got '\(spec)'")
            }
            return (parts[0], parts[1].split(separator: ",").map(String.init))
        }
    }

    func run() throws {
        let directory = URL(fileURLWithPath: dir).standardizedFileURL.path
        if let running = try? SSHCluster(attachingTo: directory),
            running.hosts.contains(where: SSHCluster.isSSHD)
        {
            throw LabError("a cluster is already running in \(directory); run `rollout-lab down --dir \(dir)` first")
        }
        let cluster = try SSHCluster(directory: directory, hosts: hosts, bastion: bastion, daemonize: true)
        let inventory = directory + "/inventory.yml"
        try cluster.writeInventory(to: inventory, groups: try parsedGroups())
        print(LabSummary(cluster: cluster, inventory: inventory).text)
    }
}

/// A failure of a lab command, printed as `Error: <message>` with a non-zero exit.
struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
