import ArgumentParser
import Foundation
import RolloutTestSupport

/// `rollout-lab status`: shows each host of the cluster in DIR and whether it serves SSH.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the hosts of the cluster in DIR; exits 1 when one is down.")

    @Option(help: "The directory given to `rollout-lab up`.")
    var dir: String

    func run() throws {
        let directory = URL(fileURLWithPath: dir).standardizedFileURL.path
        let cluster = try SSHCluster(attachingTo: directory)
        var down = 0
        for host in cluster.hosts + (cluster.bastion.map { [$0] } ?? []) {
            let serving = SSHCluster.isSSHD(host) && LocalPorts.greets(port: host.port, prefix: "SSH-2.0-")
            if !serving { down += 1 }
            let name = host.name.padding(toLength: 8, withPad: " ", startingAt: 0)
            print("\(name) \(host.address):\(host.port)  pid \(host.pid)  \(serving ? "up" : "DOWN")")
        }
        if down > 0 { throw ExitCode(1) }
    }
}
