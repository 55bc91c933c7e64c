import Foundation
import RolloutTestSupport
import Testing

/// `rollout agent install --init systemd`. These containers have no systemd, so `systemctl` on the host is a
/// FAKE (first on the sessions' PATH): it records every call and, for `enable --now UNIT`, starts the unit's
/// `ExecStart` in a session of its own, as systemd would. What is real: the unit file rollout writes, the calls
/// it makes, the agent it starts, and a deploy through that agent.
@Suite("rollout agent install --init systemd (fake systemctl)", .serialized)
struct AgentInstallSystemdTests {
    @Test("writes a notify unit, reloads and enables it once; the started agent serves a deploy; then unchanged")
    func installsAndStartsAUnit() throws {
        let fixture = try DeployFixture(hosts: 1)
        defer { fixture.stop() }
        try fixture.stageDemoService()
        let units = fixture.cluster.directory + "/units"
        let calls = fixture.cluster.directory + "/systemctl.log"
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: true)
        let fake = fixture.cluster.binDirectory + "/systemctl"
        try """
            #!/bin/sh
            # FAKE systemctl for tests: records the call; `enable --now UNIT` runs the unit's ExecStart detached.
            echo "$*" >> '\(calls)'
            if [ "$1" = enable ] && [ "$2" = --now ]; then
                command=$(sed -n 's/^ExecStart=//p' '\(units)'/"$3".service)
                setsid -f sh -c "exec $command >> '\(units)/$3.out' 2>&1 < /dev/null"
            fi
            """.write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)

        let arguments = [
            "agent", "install", "--inventory", "lab", "--playbook", "demo", "--init", "systemd", "--unit-directory",
            units,
        ]
        let install = try fixture.rollout(arguments)
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(install.stdout.contains("installed"), "\(install.stdout)")
        let unit = try String(contentsOfFile: units + "/rollout-agent-demo.service", encoding: .utf8)
        let root = fixture.cluster.hosts[0].rootDirectory + "/srv"
        #expect(unit.contains("Type=notify"))
        #expect(unit.contains("ExecStart=\(root)/bin/rollout-agent run --config "), "\(unit)")
        #expect(unit.contains("WantedBy=multi-user.target"))
        // The service outlives a dead agent, and the restarted agent gets the listeners back from the fd store.
        #expect(unit.contains("KillMode=process\n") && unit.contains("FileDescriptorStoreMax=16\n"), "\(unit)")
        let recorded = { ((try? String(contentsOfFile: calls, encoding: .utf8)) ?? "").split(separator: "\n") }
        #expect(recorded() == ["daemon-reload", "enable --now rollout-agent-demo"])

        // The agent systemd (here: the fake) started is the one a deploy goes through.
        let deploy = try fixture.deploy("v1")
        #expect(deploy.status == 0, "\(deploy.stdout)\(deploy.stderr)")
        #expect(fixture.servedVersions().values.allSatisfy { $0 == "v1" })

        let again = try fixture.rollout(arguments)
        #expect(again.status == 0 && again.stdout.contains("unchanged"), "\(again.stdout)\(again.stderr)")
        #expect(recorded().count == 2, "a running, unchanged agent is left alone: \(recorded())")
    }
}
