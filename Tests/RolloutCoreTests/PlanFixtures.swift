import Foundation
import RolloutConfig

@testable import RolloutCore

/// Inventories and playbooks for planner tests, written inline so each test shows what it plans.
enum PlanFixtures {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `count` hosts `h01`, `h02`, ... in group `web`; the first two are also in group `canary`.
    static func fleet(_ count: Int) throws -> Inventory {
        var text = "all:\n  vars: {service_port: 8080}\n  children:\n    web:\n      hosts:\n"
        for i in 1...count { text += "        h\(String(format: "%02d", i)): {}\n" }
        text += "    canary:\n      hosts:\n        h01: {}\n        h02: {}\n"
        return try Inventory.parseYAML(text, file: "inventories/fleet.yml")
    }

    static let header = """
        service: {name: web, root: /srv/web}
        artifact: {path: build/web}

        """

    static func playbook(_ body: String) throws -> Playbook {
        try Playbook.parse(header + body, file: "playbooks/test.yml")
    }

    static let artifact = ArtifactInfo(
        path: "build/web", kind: .file, size: 3, sha256: String(repeating: "ab", count: 32))

    static func plan(_ body: String, hosts: Int = 10, limit: String? = nil, vars: [String: ConfigValue] = [:]) throws
        -> Plan
    {
        try Planner.plan(
            PlanRequest(
                inventory: fleet(hosts), playbook: playbook(body), limit: limit, extraVars: vars,
                version: ResolvedVersion(version: "1.0.0", source: .commandLine), artifact: artifact))
    }
}
