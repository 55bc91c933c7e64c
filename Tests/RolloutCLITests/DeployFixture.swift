import Foundation
import RolloutTestSupport
import Testing

/// A project directory over a local sshd cluster: an inventory with a service port per host, a hot playbook
/// whose `agent` section runs the demo service, and an artifact slot (`artifact/rollout-demo-service`) that each
/// test fills with the release it deploys. Agents are installed with `rollout agent install --init none`.
final class DeployFixture {
    let cluster: SSHCluster
    let project: String
    let ports: [String: Int]
    var state: String { project + "/.rollout/state.db" }

    init(hosts: Int, playbookExtra: String = "serial: 1", successes: Int = 1) throws {
        cluster = try SSHCluster.start(hosts: hosts)
        project = cluster.directory + "/project"
        var ports: [String: Int] = [:]
        for host in cluster.hosts { ports[host.name] = try LocalPorts.free() }
        self.ports = ports
        let manager = FileManager.default
        for directory in ["inventories", "playbooks", "artifact"] {
            try manager.createDirectory(atPath: "\(project)/\(directory)", withIntermediateDirectories: true)
        }
        var inventory = [
            "all:",
            "  vars: {user: \(cluster.user), identity_file: '\(cluster.userKeyPath)', known_hosts: '\(cluster.knownHostsPath)'}",
            "  hosts:",
        ]
        for host in cluster.hosts {
            inventory.append(
                "    \(host.name): {address: \(host.address), port: \(host.port), root: '\(host.rootDirectory)', "
                    + "service_port: \(ports[host.name]!)}")
        }
        try (inventory.joined(separator: "\n") + "\n").write(
            toFile: "\(project)/inventories/lab.yml", atomically: true, encoding: .utf8)
        try Self.playbook(extra: playbookExtra, successes: successes).write(
            toFile: "\(project)/playbooks/demo.yml", atomically: true, encoding: .utf8)
    }

    static func playbook(extra: String, successes: Int) -> String {
        """
        service:
          name: demo
          root: "{{ root }}/srv"
          agent: "{{ service.root }}/bin/rollout-agent"
        artifact:
          path: artifact/rollout-demo-service
        hosts: all
        \(extra)
        health:
          - type: http
            url: "http://127.0.0.1:{{ service_port }}/"
            version_header: X-Version
            interval: 200ms
            successes: \(successes)
            timeout: 2s
            deadline: 15s
        timeouts:
          restart: 30s
        agent:
          listeners:
            - name: http
              tcp: "127.0.0.1:{{ service_port }}"
          command: ["{release}/rollout-demo-service"]
          readiness:
            type: notify
            timeout: 10s
          stop:
            drain_timeout: 10s
          restart:
            policy: on-failure
            backoff_initial: 5s

        """
    }

    /// Puts the real demo service in the artifact slot (its version comes from the release directory name).
    func stageDemoService() throws {
        let path = "\(project)/artifact/rollout-demo-service"
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: try BuiltProducts.executable("rollout-demo-service"), toPath: path)
    }

    /// Puts a release that exits at once in the artifact slot.
    func stageCrashingRelease() throws {
        let path = "\(project)/artifact/rollout-demo-service"
        try? FileManager.default.removeItem(atPath: path)
        try "#!/bin/sh\necho 'this release fails at start' >&2\nexit 3\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    /// Runs `rollout ARGS` in the project directory.
    func rollout(_ arguments: [String], timeout: Duration = .seconds(180)) throws -> CommandOutput {
        try runCommand(
            BuiltProducts.executable("rollout"), arguments, currentDirectory: project, timeout: timeout)
    }

    func installAgents() throws -> CommandOutput {
        try rollout(["agent", "install", "--inventory", "lab", "--playbook", "demo", "--init", "none"])
    }

    func deploy(_ version: String, _ extra: [String] = []) throws -> CommandOutput {
        try rollout(["deploy", "--inventory", "lab", "--playbook", "demo", "--version", version] + extra)
    }

    /// What each host's service answers on `/` (`X-Version`), nil when it does not answer.
    func servedVersions() -> [String: String?] {
        var versions: [String: String?] = [:]
        for (host, port) in ports {
            let response = try? HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/", timeout: .seconds(5))
            versions[host] = response.flatMap { $0.headers["x-version"] ?? $0.headers["X-Version"] }
        }
        return versions
    }

    /// Stops every agent (ctl stop, then SIGKILL to the pid file's process and its service) and the cluster.
    func stop() {
        for host in cluster.hosts {
            let root = host.rootDirectory + "/srv"
            _ = try? runCommand(
                root + "/bin/rollout-agent", ["ctl", "--socket", root + "/agent.sock", "--timeout", "15", "stop"],
                timeout: .seconds(20))
            if let text = try? String(contentsOfFile: root + "/agent.pid", encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGKILL)
            }
        }
        cluster.stopAll()
    }
}
