import Foundation
import RolloutTestSupport
import Testing

/// A `DeployFixture` whose hosts' demo services are the servers of a real HAProxy (backend `web`, one server per
/// host, named after it), and a `drain` playbook through that HAProxy's admin socket.
final class HAProxyDeployFixture {
    let deploy: DeployFixture
    let haproxy: HAProxyFixture
    /// A scratch directory for the hooks' hand-shake files.
    let scratch: String

    init(hosts: Int) throws {
        let deploy = try DeployFixture(hosts: hosts)
        do {
            haproxy = try HAProxyFixture(
                servers: deploy.cluster.hosts.map { HAProxyFixture.Server(name: $0.name, port: deploy.ports[$0.name]!) }
            )
        } catch {
            deploy.stop()
            throw error
        }
        self.deploy = deploy
        scratch = deploy.project + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// Writes `playbooks/demo.yml`: `strategy: drain` through the HAProxy, its admin socket reached from the
    /// controller (`on: controller`) or over SSH on an inventory host (`on: h1`); `extra` is more top-level YAML.
    func writePlaybook(gatewayOn on: String = "controller", deadline: String = "30s", extra: String = "") throws {
        let drain = """
            serial: 1
            strategy: drain
            gateway:
              type: haproxy
              on: \(on)
              socket: \(haproxy.socketPath)
              backend: web
              drain_deadline: \(deadline)
              poll_interval: 200ms
            \(extra)
            """
        try DeployFixture.playbook(extra: drain, successes: 1).write(
            toFile: deploy.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
    }

    /// A `before_restart` hook (on the controller) that holds `host` in its restart (drained) the first time it
    /// restarts there, and only on `version` when given: it records its pid in `scratch/hook.pid` and sleeps, for
    /// `killWhileHeld` to SIGKILL the controller there.
    func holdingHook(host: String = "h1", version: String? = nil) -> String {
        let subject = version.map { "{{ host.name }}-{{ version }} = \(host)-\($0)" } ?? "{{ host.name }} = \(host)"
        let hook =
            "if [ \(subject) ] && [ ! -f \(scratch)/killed ]; then echo $$ > \(scratch)/hook.pid; exec sleep 60; fi"
        return "hooks:\n  before_restart: [{run: \"\(hook)\", on: controller}]"
    }

    /// Runs `rollout deploy --version VERSION` in the background until `holdingHook` holds, SIGKILLs the
    /// controller there, and kills the orphaned hook (later restarts go through).
    func killWhileHeld(version: String) throws {
        let run = try DeployBackground(
            deploy, ["deploy", "--inventory", "lab", "--playbook", "demo", "--version", version])
        defer { run.kill() }
        let deadline = ContinuousClock.now + .seconds(60)
        while !FileManager.default.fileExists(atPath: scratch + "/hook.pid") {
            guard ContinuousClock.now < deadline else { throw TestSupportError("the hook never held: \(run.stderr)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        run.kill(SIGKILL)
        _ = run.wait()
        _ = FileManager.default.createFile(atPath: scratch + "/killed", contents: nil)
        if let text = try? String(contentsOfFile: scratch + "/hook.pid", encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            kill(pid, SIGKILL)
        }
    }

    /// Every server of backend `web` as HAProxy's runtime API shows it: `srv_admin_state` (0 ready, 1/2/4 maint
    /// bits, 8/16/32 drain bits) and `srv_op_state` (2 running).
    func serverStates() throws -> [String: (admin: Int, op: Int)] {
        let answer = try haproxy.adminCommand("show servers state web")
        let lines = answer.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("# ") }, "no header in: \(answer)")
        let columns = header.dropFirst(2).split(separator: " ").map(String.init)
        let name = try #require(columns.firstIndex(of: "srv_name"))
        let admin = try #require(columns.firstIndex(of: "srv_admin_state"))
        let op = try #require(columns.firstIndex(of: "srv_op_state"))
        var states: [String: (admin: Int, op: Int)] = [:]
        for line in lines where !line.hasPrefix("#") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == columns.count, let a = Int(fields[admin]), let o = Int(fields[op]) else { continue }
            states[fields[name]] = (a, o)
        }
        return states
    }

    /// True when every host is `ready` (admin state 0) in HAProxy.
    func allReady() throws -> Bool {
        let states = try serverStates()
        return deploy.cluster.hosts.allSatisfy { states[$0.name]?.admin == 0 }
    }

    /// The server states for a failure message.
    var statesText: String { (try? serverStates()).map { "\($0)" } ?? "unreadable" }

    /// The `phases` of `host` in `rollout show ID --output json`.
    func phases(rollout id: Int, host: String) throws -> [[String: Any]] {
        let detail = try json(try deploy.rollout(["show", "\(id)", "--output", "json"]))
        return try hostsByName(detail)[host]?["phases"] as? [[String: Any]] ?? []
    }

    func stop() {
        haproxy.stop()
        deploy.stop()
    }
}

extension [[String: Any]] {
    /// The `detail` object of the last phase named `name`.
    func detail(of name: String) -> [String: Any]? {
        last { $0["name"] as? String == name }?["detail"] as? [String: Any]
    }
}
