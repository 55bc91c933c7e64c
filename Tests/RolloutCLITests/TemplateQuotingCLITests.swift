import Foundation
import RolloutTestSupport
import Testing

/// A `--var` holding shell code, through the real CLI onto a real sshd host: hooks (on the host and on the
/// controller), a command health check and a command gateway get the value as one literal argument, and the
/// injected command never runs.
@Suite("templates in shell text: values are quoted", .serialized)
struct TemplateQuotingCLITests {
    /// The demo playbook with a command health check, a drain through a command gateway and hooks, each writing
    /// the `branch` variable it got into a file.
    static func playbook(out: String) -> String {
        let extra = """
            serial: 1
            strategy: drain
            gateway:
              type: command
              on: controller
              drain: "printf '%s\\\\n' {{ branch }} >> \(out)/gateway"
              restore: "printf '%s\\\\n' {{ branch }} >> \(out)/gateway"
              status: "echo 0"
              drain_deadline: 5s
              poll_interval: 200ms
            hooks:
              before_rollout: "printf '%s' {{ branch }} > \(out)/before-rollout"
              after_verify:
                - run: "printf '%s' \\"{{ branch }}\\" > {{ service.root }}/after-verify"
            """
        return DeployFixture.playbook(extra: extra, successes: 1).replacingOccurrences(
            of: "health:\n",
            with: "health:\n  - type: command\n    run: \"printf '%s' '{{ branch }}' > {{ service.root }}/check\"\n")
    }

    @Test("`--var branch='main;touch /tmp/pwned-…'` is written as a value by every hook, check and gateway command")
    func injectedCommandDoesNotRun() throws {
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        let out = fixture.cluster.directory + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Self.playbook(out: out).write(
            toFile: fixture.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        #expect(try fixture.installAgents().status == 0)

        let pwned = "/tmp/pwned-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: pwned) }
        let branch = "main;touch \(pwned)"

        let plan = try fixture.rollout([
            "plan", "--inventory", "lab", "--playbook", "demo", "--var", "branch=\(branch)",
        ])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        // The plan prints the argv `sh -c SCRIPT` quoted as a whole; SCRIPT is `printf '%s' 'main;touch …' > …`.
        let script = #"printf '\''%s'\'' '\''main;touch "# + pwned + #"'\'' > "# + out + "/before-rollout"
        #expect(plan.stdout.contains("$ sh -c '\(script)'"), "\(plan.stdout)")
        #expect(!FileManager.default.fileExists(atPath: pwned))

        let result = try fixture.deploy("v1", ["--var", "branch=\(branch)"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pwned), "the injected `touch` ran")
        let root = fixture.cluster.hosts[0].rootDirectory + "/srv"
        for file in ["\(out)/before-rollout", "\(root)/after-verify", "\(root)/check"] {
            #expect((try? String(contentsOfFile: file, encoding: .utf8)) == branch, "\(file)")
        }
        #expect((try? String(contentsOfFile: "\(out)/gateway", encoding: .utf8)) == "\(branch)\n\(branch)\n")
    }

    @Test("a server name with `;` or a space is rejected by `rollout check` with its place, exit 2, nothing run")
    func badGatewayNameIsACheckError() throws {
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        let log = fixture.cluster.directory + "/haproxy-log"
        let playbook = DeployFixture.playbook(
            extra: """
                strategy: drain
                gateway: {type: haproxy, socket: \(log), backend: web, server: "{{ lb }}"}
                hooks:
                  before_rollout: "touch \(log)"
                """, successes: 1)
        try playbook.write(toFile: fixture.project + "/playbooks/demo.yml", atomically: true, encoding: .utf8)
        try fixture.stageDemoService()
        for command in ["check", "deploy"] {
            var arguments = [command, "--inventory", "lab", "--playbook", "demo", "--var", "lb=h1 state ready;x"]
            if command == "deploy" { arguments += ["--version", "v1"] }
            let result = try fixture.rollout(arguments)
            #expect(result.status == 2, "\(command): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains("playbooks/demo.yml:") && result.stderr.contains("key `gateway.server`")
                    && result.stderr.contains("holds a space"), "\(command): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: log), "nothing ran")
    }
}
