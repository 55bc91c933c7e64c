import Foundation
import RolloutConfig
import RolloutGateway
import RolloutTestSupport
import Testing

/// The HAProxy driver against a real HAProxy in front of real demo services, all on 127.0.0.1.
@Suite(.serialized) struct HAProxyGatewayTests {
    /// Three demo services behind one HAProxy, and the driver the playbook below builds.
    final class Setup {
        let services: [DemoServiceProcess]
        let haproxy: HAProxyFixture
        let gateway: any TrafficGateway
        let spec: GatewaySpec
        let hosts = ["s1", "s2", "s3"]

        init(runner: any GatewayCommandRunner = LocalGatewayRunner(), on: String = "controller") throws {
            services = try (0..<3).map { _ in try DemoServiceProcess.start() }
            haproxy = try HAProxyFixture(
                servers: zip(hosts, services).map { HAProxyFixture.Server(name: $0, port: $1.port ?? 0) })
            spec = try gatewaySpec(
                """
                type: haproxy
                on: \(on)
                socket: \(haproxy.socketPath)
                backend: web
                server: "{{ host.name }}"
                drain_deadline: 10s
                poll_interval: 100ms
                """)
            gateway = try GatewayFactory.make(spec: spec, runner: runner, render: renderer(hosts: hosts))
        }

        func target(_ host: String) throws -> GatewayTarget {
            try GatewayFactory.target(spec: spec, host: host, render: renderer(hosts: hosts))
        }

        /// The pid of the service that answered each of `count` fresh requests through HAProxy.
        func servingPids(_ count: Int) throws -> [String] {
            try (0..<count).map { _ in
                let response = try HTTPTestClient.get(haproxy.frontend, "/")
                #expect(response.status == 200)
                return response.headers["x-pid"] ?? "?"
            }
        }

        func pid(_ host: String) -> String { "\(services[hosts.firstIndex(of: host)!].pid)" }

        deinit {
            haproxy.stop()
            for service in services { service.stop(timeout: .seconds(3)) }
        }
    }

    @Test func drainStopsNewRequestsWhileInFlightOnesFinishThenRestoreBringsTrafficBack() async throws {
        let setup = try Setup()
        let s1 = try setup.target("s1")
        // One slow request per server (round robin), all in flight before the drain.
        let frontend = setup.haproxy.frontend
        let slow = (0..<3).map { _ in
            onThread { try HTTPTestClient.get(frontend, "/slow?ms=1500", timeout: .seconds(15)) }
        }
        try await waitFor("s1 has its slow request") { try await setup.gateway.status(s1).connections == 1 }

        let drained = try await setup.gateway.drain(s1)
        #expect(drained.state == .draining)
        #expect(drained.connections == 1)
        #expect(drained.detail?.contains("admin=drain") == true)
        let states = try setup.haproxy.adminCommand("show servers state web")
        #expect(states.contains(" s1 "))

        let pids = try setup.servingPids(6)
        #expect(!pids.contains(setup.pid("s1")))
        #expect(Set(pids) == [setup.pid("s2"), setup.pid("s3")])

        let wait = try await waitUntilDrained(
            gateway: setup.gateway, target: s1, deadline: .seconds(10), interval: .milliseconds(100))
        #expect(wait.drained)
        #expect(wait.status.connections == 0)
        #expect(wait.status.state == .draining)
        var slowPids: [String] = []
        for request in slow {
            let response = try await request.value
            #expect(response.status == 200)
            slowPids.append(response.headers["x-pid"] ?? "?")
        }
        // The drained server finished the request it had when the drain began.
        #expect(slowPids.contains(setup.pid("s1")))

        let restored = try await setup.gateway.restore(s1)
        #expect(restored.state == .inRotation)
        #expect(restored.detail?.hasPrefix("admin=ready") == true)
        #expect(try setup.servingPids(6).contains(setup.pid("s1")))
        // Idempotent both ways.
        #expect(try await setup.gateway.restore(s1).state == .inRotation)
        #expect(try await setup.gateway.drain(s1).state == .draining)
        #expect(try await setup.gateway.drain(s1).state == .draining)
        #expect(try await setup.gateway.restore(s1).state == .inRotation)
    }

    @Test func drainAndRestoreUnderLoadLoseNoRequest() async throws {
        let setup = try Setup()
        let s2 = try setup.target("s2")
        guard case .loopback(_, let port) = setup.haproxy.frontend else { throw TestSupportError("no TCP frontend") }
        let load = try LoadGenerator.start(
            LoadGenerator.Configuration(
                port: port, concurrency: 4, duration: .seconds(20), maxRequests: 20_000, keepAlive: false,
                slowShare: 0.1, slowMilliseconds: 300))
        #expect(load.waitForSucceeded(50, timeout: .seconds(10)))
        #expect(try await setup.gateway.drain(s2).state == .draining)
        let wait = try await waitUntilDrained(
            gateway: setup.gateway, target: s2, deadline: .seconds(10), interval: .milliseconds(50))
        // Connections reach 0 while the load goes on through the other two servers.
        #expect(wait.drained)
        let during = load.progress.succeeded
        #expect(load.waitForSucceeded(during + 50, timeout: .seconds(10)))
        #expect(try await setup.gateway.status(s2).connections == 0)
        #expect(try await setup.gateway.restore(s2).state == .inRotation)
        #expect(load.waitForSucceeded(load.progress.succeeded + 50, timeout: .seconds(10)))
        let report = load.stop()
        #expect(report.failed == 0, "\(report.summary)")
        #expect(report.pidsSeen.contains(setup.services[1].pid))
    }

    @Test func aReloadThatUndrainsTheServerIsReportedByStatus() async throws {
        let setup = try Setup()
        let s2 = try setup.target("s2")
        #expect(try await setup.gateway.drain(s2).state == .draining)
        #expect(try await setup.gateway.status(s2).state == .draining)

        try setup.haproxy.reload()

        let after = try await setup.gateway.status(s2)
        #expect(after.state == .inRotation)
        #expect(try setup.servingPids(6).contains(setup.pid("s2")))
        let error = await #expect(throws: GatewayError.self) {
            try await waitUntilDrained(
                gateway: setup.gateway, target: s2, deadline: .seconds(5), interval: .milliseconds(100))
        }
        #expect(error?.code == .notConfirmed)
        // The re-check before a restart notices the reverted state and drains again, on the new HAProxy.
        let recheck = try await setup.gateway.recheckDrained(s2)
        #expect(recheck.reapplied)
        #expect(recheck.found.state == .inRotation)
        #expect(recheck.status.state == .draining)
        #expect(!(try setup.servingPids(6).contains(setup.pid("s2"))))
        #expect(try await setup.gateway.recheckDrained(s2).reapplied == false)

        // After the restore, the re-check confirms it; a reload cannot undo a restore (ready is configured).
        _ = try await setup.gateway.restore(s2)
        try setup.haproxy.reload()
        let restored = try await setup.gateway.recheckRestored(s2)
        #expect(!restored.reapplied)
        #expect(restored.status.state == .inRotation)
    }

    @Test func theRecheckAfterARestoreRestoresAHostThatIsStillOut() async throws {
        let setup = try Setup()
        let s3 = try setup.target("s3")
        let haproxy = try #require(setup.gateway as? HAProxyGateway)
        _ = try await haproxy.maintenance(s3)
        let recheck = try await setup.gateway.recheckRestored(s3)
        #expect(recheck.reapplied)
        #expect(recheck.found.state == .out)
        #expect(recheck.status.state == .inRotation)
        #expect(try setup.servingPids(6).contains(setup.pid("s3")))
    }

    @Test func anUnknownServerOrBackendIsAClearError() async throws {
        let setup = try Setup()
        let nope = GatewayTarget(host: "s1", server: "s9")
        for operation in ["drain", "restore", "status"] {
            let error = await #expect(throws: GatewayError.self, "\(operation)") {
                switch operation {
                case "drain": _ = try await setup.gateway.drain(nope)
                case "restore": _ = try await setup.gateway.restore(nope)
                default: _ = try await setup.gateway.status(nope)
                }
            }
            #expect(error?.code == .unknownServer)
            #expect(error?.message.contains("web/s9") == true)
        }
        let otherBackend = HAProxyGateway(
            socket: Template(literal: setup.haproxy.socketPath, origin: ConfigOrigin(file: "t")), address: nil,
            backend: Template(literal: "api", origin: ConfigOrigin(file: "t")), transport: .direct,
            render: renderer(hosts: setup.hosts))
        let error = await #expect(throws: GatewayError.self) { try await otherBackend.drain(try setup.target("s1")) }
        #expect(error?.code == .unknownServer)
        #expect(error?.message.contains("api/s1") == true)
    }

    @Test func maintenanceIsOutAndRestoreClearsIt() async throws {
        let setup = try Setup()
        let s3 = try setup.target("s3")
        let haproxy = try #require(setup.gateway as? HAProxyGateway)
        let out = try await haproxy.maintenance(s3)
        #expect(out.state == .out)
        #expect(out.detail?.contains("maint") == true)
        #expect(!(try setup.servingPids(6).contains(setup.pid("s3"))))
        #expect(try await haproxy.restore(s3).state == .inRotation)
    }

    @Test func onAGatewayHostTheRelayIsPython3WhenSocatIsAbsentAndAClearErrorWithNeither() async throws {
        let bin = try temporaryDirectory("relay-bin")
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let python = try runCommand("/usr/bin/env", ["python3", "-c", "import sys; print(sys.executable)"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createSymbolicLink(atPath: bin + "/python3", withDestinationPath: python)
        // A PATH holding python3 and nothing else: the relay cannot pick socat even where it is installed.
        let setup = try Setup(runner: LocalGatewayRunner(environment: ["PATH": bin]), on: "lb1")
        let s1 = try setup.target("s1")
        #expect(try await setup.gateway.drain(s1).state == .draining)
        #expect(!(try setup.servingPids(4).contains(setup.pid("s1"))))
        #expect(try await setup.gateway.restore(s1).state == .inRotation)

        let empty = try temporaryDirectory("relay-empty")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let bare = try GatewayFactory.make(
            spec: setup.spec, runner: LocalGatewayRunner(environment: ["PATH": empty]),
            render: renderer(hosts: setup.hosts))
        let error = await #expect(throws: GatewayError.self) { try await bare.status(s1) }
        #expect(error?.code == .unreachable)
        #expect(error?.message.contains("neither `socat` nor `python3`") == true)
    }
}

/// Runs blocking work on its own thread (the cooperative pool is as small as the machine's two cores).
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Task<T, any Error> {
    Task {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }
}

/// Polls `condition` every 50 ms for up to 10 s.
func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TestSupportError("timed out waiting until \(what)")
}
