import ArgumentParser
import Foundation
import RolloutTestSupport

/// `rollout-lab down`: stops every sshd of the cluster in DIR with its sessions; idempotent.
struct Down: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop every host of the cluster in DIR (idempotent).")

    @Option(help: "The directory given to `rollout-lab up`.")
    var dir: String

    func run() throws {
        let directory = URL(fileURLWithPath: dir).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: directory + "/cluster.json") else {
            print("no cluster in \(directory); nothing to stop")
            return
        }
        let cluster = try SSHCluster(attachingTo: directory)
        let alive = (cluster.hosts + (cluster.bastion.map { [$0] } ?? [])).filter(SSHCluster.isSSHD)
        cluster.stopAll()
        print("stopped \(alive.count) sshd host(s) in \(directory)")
    }
}
