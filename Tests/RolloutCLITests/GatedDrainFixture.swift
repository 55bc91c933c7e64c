import Foundation
import RolloutTestSupport

/// A `drain` rollout through the `command` gateway whose connection count each test sets per host while the
/// rollout runs: `status` prints the file `connections/HOST` (0 when missing), so a host's drain wait lasts until
/// the test writes 0 there (or its two-minute deadline). The gateway appends `drain h1` / `restore h1` to a log.
final class GatedDrainFixture {
    let deploy: DeployFixture
    let log: String
    let connections: String

    init(hosts: Int) throws {
        let directory = NSTemporaryDirectory() + "gated-\(UUID().uuidString)"
        log = directory + "/gateway.log"
        connections = directory + "/connections"
        try FileManager.default.createDirectory(atPath: connections, withIntermediateDirectories: true)
        deploy = try DeployFixture(
            hosts: hosts,
            playbookExtra: DeployGatewayTests.drainPlaybook(
                log: log, status: "cat \(connections)/{{ host.name }} 2>/dev/null || echo 0", deadline: "2m"))
        try deploy.stageDemoService()
    }

    /// Holds `host`'s drain wait (`count` > 0) or lets it end (0).
    func setConnections(_ host: String, _ count: Int) throws {
        try "\(count)\n".write(toFile: "\(connections)/\(host)", atomically: true, encoding: .utf8)
    }

    /// The gateway's log, one `drain h1` / `restore h1` per line.
    var gatewayLog: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func clearLog() { try? FileManager.default.removeItem(atPath: log) }

    /// Waits until the gateway has logged `line` (the drain command ran, not only its phase began); false after
    /// `timeout`.
    func waitForLog(_ line: String, timeout: Duration = .seconds(60)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !gatewayLog.contains(line) {
            if ContinuousClock.now > deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// Every host drained in the log was restored after its last drain: none is left out of rotation.
    var everyHostInRotation: Bool {
        var out: Set<String> = []
        for line in gatewayLog {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 2 else { continue }
            if parts[0] == "drain" { out.insert(parts[1]) } else if parts[0] == "restore" { out.remove(parts[1]) }
        }
        return out.isEmpty
    }

    /// `rollout show ID --output json`.
    func show(_ id: Int) throws -> [String: Any] {
        try json(try deploy.rollout(["show", String(id), "--output", "json"]))
    }

    func stop() { deploy.stop() }
}
