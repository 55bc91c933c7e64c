import Foundation
import RolloutTestSupport
import Testing

/// Runs the built `rollout` executable, as a user or a CI job would.
func rollout(_ arguments: String..., environment: [String: String]? = nil,
             currentDirectory: String? = nil) throws -> CommandOutput {
    try runCommand(BuiltProducts.executable("rollout"), arguments, environment: environment,
                   currentDirectory: currentDirectory, timeout: .seconds(120))
}

/// Parses a JSON document printed by `rollout ... --output json`.
func json(_ output: CommandOutput) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
    return try #require(object as? [String: Any], "not a JSON object: \(output.stdout)")
}

/// The `hosts` array of a JSON report, keyed by host name.
func hostsByName(_ report: [String: Any]) throws -> [String: [String: Any]] {
    let hosts = try #require(report["hosts"] as? [[String: Any]])
    return Dictionary(uniqueKeysWithValues: hosts.map { ($0["name"] as? String ?? "", $0) })
}

/// A started cluster with its inventory written to a temporary directory; stopped by `stop()`.
struct ClusterFixture {
    let cluster: SSHCluster
    let inventory: String

    init(hosts: Int) throws {
        cluster = try SSHCluster.start(hosts: hosts)
        inventory = cluster.directory + "/inventory.yml"
        try cluster.writeInventory(to: inventory)
    }

    func stop() { cluster.stopAll() }
}
