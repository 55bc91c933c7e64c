import Foundation
import RolloutTestSupport

extension DeployFixture {
    /// Where rollout `id`'s journal (`rollout show ID --output json`) and the hosts disagree, one line each; empty
    /// when they agree. For every host of the rollout, the release the journal says it ends on (`succeeded` and
    /// `unchanged`: its `to_version`; `rolled_back`, `skipped` and `pending`: its `from_version`) must be where
    /// `<root>/srv/current` points and the version its service answers on its port (a `failed` host: the two must at
    /// least be the same); no host and no phase may be left `running`; and with a gateway, every host must be
    /// ready and up in HAProxy (`show servers state`): none left drained.
    func disagreements(rollout id: Int, gateway: HAProxyDeployFixture? = nil) throws -> [String] {
        let detail = try json(try rollout(["show", "\(id)", "--output", "json"]))
        let hosts = try hostsByName(detail)
        let served = servedVersions()
        var problems: [String] = []
        for host in cluster.hosts {
            guard let entry = hosts[host.name] else {
                problems.append("\(host.name) is not in rollout \(id)")
                continue
            }
            let status = entry["status"] as? String ?? "?"
            let current = try? FileManager.default.destinationOfSymbolicLink(
                atPath: host.rootDirectory + "/srv/current")
            let serving = served[host.name] ?? nil
            let expected: String?
            switch status {
            case "succeeded", "unchanged": expected = entry["to_version"] as? String
            case "rolled_back", "skipped", "pending": expected = entry["from_version"] as? String
            case "failed": expected = nil
            default:
                problems.append("\(host.name) is `\(status)` in the journal")
                expected = nil
            }
            if let expected {
                if current != "releases/\(expected)" {
                    problems.append("\(host.name) is `\(status)` (\(expected)) but current -> \(current ?? "nothing")")
                }
                if serving != expected {
                    problems.append("\(host.name) is `\(status)` (\(expected)) but serves \(serving ?? "nothing")")
                }
            } else if current.map({ "releases/\(serving ?? "")" == $0 }) != true {
                problems.append(
                    "\(host.name): current -> \(current ?? "nothing") but it serves \(serving ?? "nothing")")
            }
            let phases = entry["phases"] as? [[String: Any]] ?? []
            for phase in phases where phase["status"] as? String == "running" {
                problems.append("\(host.name): phase \(phase["name"] as? String ?? "?") is still `running`")
            }
        }
        if let gateway {
            let states = try gateway.serverStates()
            for host in cluster.hosts where states[host.name]?.admin != 0 || states[host.name]?.op != 2 {
                problems.append(
                    "\(host.name) in HAProxy: admin state \(states[host.name]?.admin ?? -1) (0 = ready), "
                        + "op state \(states[host.name]?.op ?? -1) (2 = running)")
            }
        }
        return problems
    }
}
