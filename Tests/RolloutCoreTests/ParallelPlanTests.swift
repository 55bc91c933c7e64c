import RolloutConfig
import RolloutText
import Testing

@testable import RolloutCore

/// Plans are built and printed in chunks of hosts on every core; these tests hold the result to what one pass
/// over the hosts in order gives (a single chunk runs on the calling thread, host after host).
@Suite struct ParallelPlanTests {
    static let playbook = """
        strategy: drain
        canary: {hosts: 1, bake: 1m}
        serial: [1, 10, "25%"]
        gateway: {type: haproxy, socket: /run/haproxy/admin.sock, backend: web}
        health:
          - {type: http, url: "http://{{ host.address }}:{{ service_port }}/health", version_header: X-Version}
          - {type: tcp, port: "{{ service_port }}"}
        hooks:
          before_switch: "test -d {{ service.release }}"
        overrides:
          canary: {strategy: hot}

        """

    @Test func aPlanBuiltInChunksIsThePlanBuiltInOnePass() throws {
        let request = try Self.request(hosts: 150, playbook: Self.playbook)
        let whole = try Planner.plan(request, hostsPerChunk: .max)
        #expect(whole.hosts.count == 150)
        for size in [1, 7, 64] {
            #expect(try Planner.plan(request, hostsPerChunk: size) == whole, "chunks of \(size)")
        }
    }

    @Test func textAndJSONWrittenInChunksAreTheBytesOfOnePass() throws {
        let plan = try Planner.plan(Self.request(hosts: 150, playbook: Self.playbook), hostsPerChunk: .max)
        func text(_ size: Int) -> String {
            let out = OutputBuffer()
            plan.writeText(to: out, hostsPerChunk: size)
            return out.text
        }
        func json(_ size: Int) -> String {
            let out = OutputBuffer()
            plan.writeJSON(to: out, hostsPerChunk: size)
            return out.text
        }
        let wholeText = text(.max)
        let wholeJSON = json(.max)
        #expect(wholeText.contains("Host h150 ("))
        #expect(wholeJSON.contains("\"name\": \"h150\""))
        for size in [1, 7, 64] {
            #expect(text(size) == wholeText, "chunks of \(size)")
            #expect(json(size) == wholeJSON, "chunks of \(size)")
        }
    }

    @Test func problemsFoundInChunksAreReportedAsInOnePass() throws {
        // `app_port` is defined on even hosts only, `nope` nowhere, and the URL renders badly on every host:
        // each chunk meets them, and the report must still name each once, with the hosts in inventory order.
        var inventory = "all:\n  children:\n    web:\n      hosts:\n"
        for i in 1...40 { inventory += "        h\(i): {\(i % 2 == 0 ? "app_port: 80" : "")}\n" }
        let playbook = """
            health:
              - {type: http, url: "http://{{ host.name }}:{{ app_port }}x/{{ nope }}"}
              - {type: http, url: "http://:{{ app_port }}/"}

            """
        let request = try Self.request(inventory: inventory, playbook: playbook)
        let whole = try #require(throws: ConfigError.self) { try Planner.plan(request, hostsPerChunk: .max) }
        let expected = whole.all.map(\.description)
        #expect(expected.count == 4, "\(expected)")
        #expect(expected.first?.contains("`app_port` for host h1, h3, h5 and 17 more") == true, "\(expected)")
        for size in [1, 3, 16] {
            let chunked = try #require(throws: ConfigError.self) { try Planner.plan(request, hostsPerChunk: size) }
            #expect(chunked.all.map(\.description) == expected, "chunks of \(size)")
        }
    }

    static func request(hosts: Int, playbook: String) throws -> PlanRequest {
        PlanRequest(
            inventory: try PlanFixtures.fleet(hosts), playbook: try PlanFixtures.playbook(playbook),
            version: ResolvedVersion(version: "1.0.0", source: .commandLine), artifact: PlanFixtures.artifact)
    }

    static func request(inventory: String, playbook: String) throws -> PlanRequest {
        PlanRequest(
            inventory: try Inventory.parseYAML(inventory, file: "inventories/test.yml"),
            playbook: try PlanFixtures.playbook(playbook),
            version: ResolvedVersion(version: "1.0.0", source: .commandLine), artifact: PlanFixtures.artifact)
    }
}
