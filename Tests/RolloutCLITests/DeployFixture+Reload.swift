import Foundation
import RolloutTestSupport
import Testing

/// A `DeployFixture` whose demo service reads `<root>/srv/shared/demo.conf` (`--config`), and a config-only
/// playbook `playbooks/config.yml` that renders `config/demo.conf.tmpl` per host and reloads it.
extension DeployFixture {
    /// The hot playbook's service reads its config file; every host is provisioned with `message = initial`
    /// (the service refuses to start without a valid one, like nginx), agents are installed and v1 deployed.
    func prepareReloadableService() throws {
        let path = "\(project)/playbooks/demo.yml"
        var playbook = try String(contentsOfFile: path, encoding: .utf8)
        playbook = playbook.replacingOccurrences(
            of: #"command: ["{release}/rollout-demo-service"]"#,
            with: #"command: ["{release}/rollout-demo-service", "--config", "{{ service.root }}/shared/demo.conf"]"#)
        try playbook.write(toFile: path, atomically: true, encoding: .utf8)
        for host in cluster.hosts {
            let shared = host.rootDirectory + "/srv/shared"
            try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
            try "message = initial\n".write(toFile: shared + "/demo.conf", atomically: true, encoding: .utf8)
        }
        try stageDemoService()
        let install = try installAgents()
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        let v1 = try deploy("v1")
        #expect(v1.status == 0, "\(v1.stdout)\(v1.stderr)")
    }

    /// Writes `playbooks/config.yml` (strategy reload, `config/demo.conf.tmpl` with `template`) and the template.
    /// `validate` is the file's validation command (nil: none); `vars` are more playbook variables (`k: v, ...`);
    /// `extra` is appended to the playbook.
    func writeConfigPlaybook(
        template: String, validate: String? = "{{ service.current }}/rollout-demo-service --check-config {file}",
        greeting: String = "hello", vars: String = "", extra: String = ""
    ) throws {
        try FileManager.default.createDirectory(atPath: "\(project)/config", withIntermediateDirectories: true)
        try template.write(toFile: "\(project)/config/demo.conf.tmpl", atomically: true, encoding: .utf8)
        let playbook = """
            service:
              name: demo
              root: "{{ root }}/srv"
              agent: "{{ service.root }}/bin/rollout-agent"
            hosts: all
            strategy: reload
            serial: 1
            vars: {greeting: \(greeting)\(vars.isEmpty ? "" : ", " + vars)}
            health:
              - type: http
                url: "http://127.0.0.1:{{ service_port }}/"
                body_contains: "message={{ greeting }} from {{ inventory_hostname }}"
                interval: 200ms
                timeout: 2s
                deadline: 15s
            config:
              reload_timeout: 30s
              files:
                - template: config/demo.conf.tmpl
                  dest: shared/demo.conf
                  mode: "0640"
            \(validate.map { "      validate: \"\($0)\"" } ?? "")
            \(extra)

            """
        try playbook.write(toFile: "\(project)/playbooks/config.yml", atomically: true, encoding: .utf8)
    }

    func deployConfig(_ extra: [String] = []) throws -> CommandOutput {
        try rollout(["deploy", "--inventory", "lab", "--playbook", "config"] + extra)
    }

    /// The `message=` line each host serves on `/`.
    func servedMessages() -> [String: String] {
        var messages: [String: String] = [:]
        for (host, port) in ports {
            let response = try? HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/", timeout: .seconds(5))
            let line = response?.body.split(separator: "\n").first { $0.hasPrefix("message=") }
            messages[host] = line.map { String($0.dropFirst("message=".count)) } ?? "(none)"
        }
        return messages
    }

    /// The pid answering `/` on each host (`X-Pid`; the body's `pid=` line is followed by the message).
    func servingPIDs() throws -> [String: String] {
        var pids: [String: String] = [:]
        for (host, port) in ports {
            let response = try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), "/", timeout: .seconds(5))
            pids[host] = response.headers["x-pid"] ?? response.headers["X-Pid"] ?? "?"
        }
        return pids
    }

    /// The live config file on each host.
    func liveConfigFiles() -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: cluster.hosts.map { host in
                (
                    host.name,
                    (try? String(contentsOfFile: host.rootDirectory + "/srv/shared/demo.conf", encoding: .utf8))
                        ?? "(missing)"
                )
            })
    }

    /// `sha256sum` of each host's live config file.
    func liveConfigSHA256() throws -> [String: String] {
        var sums: [String: String] = [:]
        for host in cluster.hosts {
            let output = try runCommand("/usr/bin/sha256sum", [host.rootDirectory + "/srv/shared/demo.conf"])
            sums[host.name] = output.stdout.split(separator: " ").first.map(String.init) ?? ""
        }
        return sums
    }
}
