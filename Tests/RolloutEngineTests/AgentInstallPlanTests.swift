import Foundation
import RolloutConfig
import RolloutCore
import Testing

@testable import RolloutEngine

/// The playbook's `agent` section rendered per host into the agent's config, and HTTP probe parsing.
@Suite struct AgentInstallPlanTests {
    static let inventory = """
        all:
          vars: {service_port: 8080}
          hosts:
            a: {address: 10.0.0.1}
            b: {address: 10.0.0.2, service_port: 9090}
        """

    static let playbook = """
        service: {name: web, root: /srv/web, agent: "{{ service.root }}/bin/rollout-agent"}
        artifact: {path: build/web}
        agent:
          listeners:
            - {name: http, tcp: "0.0.0.0:{{ service_port }}"}
          command: ["{release}/bin/web", "--name", "{{ host.name }}"]
          readiness: {type: notify, timeout: 10s}

        """

    func targets(_ playbook: String = AgentInstallPlanTests.playbook, limit: String? = nil) throws
        -> [AgentInstallTarget]
    {
        let inventory = try Inventory.parseYAML(Self.inventory, file: "inventories/lab.yml")
        return try AgentInstallPlanner.plan(
            inventory: inventory, playbook: try Playbook.parse(playbook, file: "playbooks/web.yml"), limit: limit)
    }

    @Test func rendersEachHostsConfigWithTheDerivedKeys() throws {
        let all = try targets()
        #expect(all.map(\.host.name) == ["a", "b"])
        let b = all[1]
        #expect(b.agentPath == "/srv/web/bin/rollout-agent")
        #expect(b.configPath == "/srv/web/agent.yml")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(b.configText.utf8)) as? [String: Any])
        #expect(config["service"] as? String == "web")
        #expect(config["control_socket"] as? String == "/srv/web/agent.sock")
        #expect(config["release_link"] as? String == "/srv/web/current")
        #expect(config["pid_file"] as? String == "/srv/web/agent.pid")
        #expect((config["listeners"] as? [[String: Any]])?.first?["tcp"] as? String == "0.0.0.0:9090")
        #expect(config["command"] as? [String] == ["{release}/bin/web", "--name", "b"], "{release} is the agent's own")
        #expect(try targets() == all, "rendering is deterministic (a re-install compares text)")
        #expect(try targets(limit: "a").count == 1)
    }

    @Test func problemsAreConfigErrorsBeforeAnyHostIsTouched() throws {
        let noSection = "service: {name: web, root: /srv/web}\nartifact: {path: build/web}\n"
        #expect(throws: ConfigError.self) { try targets(noSection) }
        let relative = Self.playbook.replacingOccurrences(
            of: "\"{{ service.root }}/bin/rollout-agent\"", with: "rollout-agent")
        #expect(throws: ConfigError.self) { try targets(relative) }
        let undefined = Self.playbook.replacingOccurrences(of: "{{ host.name }}", with: "{{ nowhere }}")
        do {
            _ = try targets(undefined)
            Issue.record("an undefined variable must be an error")
        } catch let error as ConfigError {
            #expect("\(error)".contains("nowhere"))
        }
        let unknownKey = Self.playbook + "  restart_policy: always\n"
        #expect(throws: ConfigError.self) { try targets(unknownKey) }
    }

    @Test func httpResponsesAreParsed() throws {
        let response = try HTTPProbe.parse(Array("HTTP/1.1 200 OK\r\nX-Version: v2\r\n\r\nversion=v2 pid=1".utf8))
        #expect(response.status == 200)
        #expect(response.headers["x-version"] == "v2")
        #expect(response.body == "version=v2 pid=1")
        #expect(throws: DeployError.self) { try HTTPProbe.parse(Array("garbage".utf8)) }
    }
}
