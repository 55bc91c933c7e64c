import RolloutConfig
import RolloutCore
import RolloutText
import SSHClient
import Testing

@testable import RolloutEngine

/// A simulated host answers the engine's commands from memory, the same way for the same seed.
@Suite struct SimulatedHostTests {
    let root = "/srv/app"

    func fleet(
        hosts: [String], failureRate: Double = 0, unreachableRate: Double = 0, seed: UInt64 = 1,
        connectTimeout: Duration = .seconds(10)
    ) -> SimulatedFleet {
        SimulatedFleet(
            spec: SimulationSpec(failureRate: failureRate, unreachableRate: unreachableRate, seed: seed),
            roots: Dictionary(uniqueKeysWithValues: hosts.map { ($0, root) }),
            httpChecks: Dictionary(
                uniqueKeysWithValues: hosts.map {
                    ($0, ["http://\($0):80/health": .init(status: 200, versionHeader: "X-Version")])
                }), connectTimeout: connectTimeout)
    }

    func run(_ host: any HostTransport, _ argv: [String]) async throws -> (Int32?, String) {
        let result = try await host.execute(ShellQuote.join(argv))
        return (result.exitStatus, result.stdoutText)
    }

    @Test func aReleaseIsUploadedSwitchedAndServed() async throws {
        let fleet = fleet(hosts: ["a"])
        let host = try await fleet.connect(InventoryHost(name: "a"))
        let commands = ReleaseCommands(host: "a", root: root)
        #expect(try await run(host, commands.readCurrent().argv) == (0, "releases/sim-0\n"))
        for command in commands.beginUpload("v2") { #expect(try await run(host, command.argv).0 == 0) }
        let artifact = "/proc/self/exe"
        let uploaded = try await host.upload(
            from: artifact, to: commands.uploadDirectory("v2") + "/app", mode: nil, expectedSHA256: "abc",
            timeout: nil)
        #expect(uploaded.sha256 == "abc")
        #expect(
            try await run(host, commands.checksum(commands.uploadDirectory("v2") + "/app").argv).1.hasPrefix("abc "))
        #expect(try await run(host, commands.finishUpload("v2").argv).0 == 0)
        #expect(try await host.execute("test -d \(commands.release("v2"))").exitStatus == 0)
        for command in commands.switchTo("v2") { #expect(try await run(host, command.argv).0 == 0) }
        #expect(try await run(host, commands.readCurrent().argv).1 == "releases/v2\n")
        #expect(try await run(host, commands.listReleases().argv).1 == "v2\nsim-0\n")

        let agent = AgentCommands(host: "a", agent: "/opt/rollout-agent", socket: "/run/app.sock")
        let before = try await host.httpGet("http://a:80/health", timeout: .seconds(1))
        #expect(before.headers["x-version"] == "sim-0")
        let restart = try await run(host, agent.restart(timeout: .seconds(5)).argv)
        #expect(restart.0 == 0 && restart.1.contains("\"outcome\":\"ok\"") && restart.1.contains("\"version\":\"v2\""))
        let after = try await host.httpGet("http://a:80/health", timeout: .seconds(1))
        #expect(after.status == 200 && after.headers["x-version"] == "v2")
        #expect(try await host.httpGet("http://a:80/other", timeout: .seconds(1)).status == 404)
        await host.close()
        await #expect(throws: (any Error).self) { _ = try await host.execute("true") }
    }

    @Test func failingHostsDependOnlyOnSeedAndName() async throws {
        let names = (1...400).map { "h\($0)" }
        func failing(_ seed: UInt64) async throws -> [String: SimulatedHost.FailureStep] {
            let fleet = fleet(hosts: names, failureRate: 0.05, seed: seed)
            var chosen: [String: SimulatedHost.FailureStep] = [:]
            for name in names.reversed() {
                let host = try await fleet.connect(InventoryHost(name: name)) as! SimulatedHost
                if let step = host.failure { chosen[name] = step }
            }
            return chosen
        }
        let first = try await failing(9)
        #expect(try await failing(9) == first)
        #expect(try await failing(10) != first)
        #expect((8...35).contains(first.count), "about 5% of 400 hosts: \(first.count)")
        #expect(Set(first.values).count == 3, "uploads, restarts and health checks all fail somewhere")
    }

    @Test func unreachableHostsTimeOutTheirConnectAndLeaveTheFailingOnesAlone() async throws {
        let names = (1...400).map { "h\($0)" }
        let unreachable = fleet(
            hosts: names, failureRate: 0.05, unreachableRate: 0.05, seed: 9, connectTimeout: .milliseconds(20))
        let plain = fleet(hosts: names, failureRate: 0.05, seed: 9)
        let silent = names.filter { unreachable.isUnreachable($0) }
        #expect((8...35).contains(silent.count), "about 5% of 400 hosts: \(silent.count)")
        #expect(silent == names.filter { fleet(hosts: names, unreachableRate: 0.05, seed: 9).isUnreachable($0) })
        #expect(silent != names.filter { fleet(hosts: names, unreachableRate: 0.05, seed: 10).isUnreachable($0) })
        let name = try #require(silent.first)
        let start = ContinuousClock.now
        do {
            _ = try await unreachable.connect(InventoryHost(name: name))
            Issue.record("\(name) is unreachable, but connecting succeeded")
        } catch let error as SSHError {
            #expect(error.code == .connectTimeout && error.message.contains("unreachable=5.0%"))
        }
        #expect(ContinuousClock.now - start >= .milliseconds(20), "it waits out the connect timeout")
        #expect(unreachable.stats.figures.unreachable == 1)
        // The hosts that fail at a step are the same with or without unreachable ones.
        for other in names where !unreachable.isUnreachable(other) {
            let with = try await unreachable.connect(InventoryHost(name: other)) as! SimulatedHost
            let without = try await plain.connect(InventoryHost(name: other)) as! SimulatedHost
            #expect(with.failure == without.failure, "\(other)")
        }
    }

    @Test func quotedCommandLinesSplitBackIntoTheirArgv() {
        let argv = ["sh", "-c", "echo 'it''s' && cat \"$1\"", "sh", "/a b/c", ""]
        #expect(SimulatedCommandLine.split(ShellQuote.join(argv)) == argv)
        #expect(SimulatedCommandLine.split("sha256sum -- /x/y 2>/dev/null") == ["sha256sum", "--", "/x/y"])
    }
}
