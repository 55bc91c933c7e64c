import Foundation
import RolloutConfig
import RolloutGateway
import Testing

/// The `command` driver with real shell commands (through `LocalGatewayRunner`) keeping each host's state in a
/// file, the way an operator's scripts would.
@Suite struct CommandGatewayTests {
    /// drain/restore write the state file; status prints it with the count from `<host>.conns` and, like a
    /// draining server whose clients finish, lowers that count by one on each read.
    func makeGateway(_ dir: String, status: String? = nil) throws -> (any TrafficGateway, GatewaySpec) {
        let statusLine =
            status ?? """
                n=$(cat \(dir)/{{ host.name }}.conns); \
                echo "state=$(cat \(dir)/{{ host.name }}.state) connections=$n"; \
                if [ "$n" -gt 0 ] && [ "$(cat \(dir)/{{ host.name }}.state)" = draining ]; then \
                echo $((n - 1)) > \(dir)/{{ host.name }}.conns; fi
                """
        let spec = try gatewaySpec(
            """
            type: command
            drain: "echo draining > \(dir)/{{ host.name }}.state"
            restore: "echo in_rotation > \(dir)/{{ host.name }}.state"
            status: '\(statusLine.replacingOccurrences(of: "'", with: "''"))'
            """)
        let gateway = try GatewayFactory.make(
            spec: spec, runner: LocalGatewayRunner(), render: renderer(hosts: ["web1", "web2"]))
        return (gateway, spec)
    }

    @Test func drainWaitRestoreReadsEachStateBackFromTheStatusCommand() async throws {
        let dir = try temporaryDirectory("cmd-gw")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("in_rotation\n", "\(dir)/web1.state")
        try write("3\n", "\(dir)/web1.conns")
        let (gateway, spec) = try makeGateway(dir)
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1"]))
        #expect(gateway.kind == "command")

        let drained = try await gateway.drain(target)
        #expect(drained.state == .draining)
        #expect(drained.connections == 3)
        #expect(try read("\(dir)/web1.state") == "draining\n")

        let wait = try await waitUntilDrained(
            gateway: gateway, target: target, deadline: .seconds(20), interval: .milliseconds(10))
        #expect(wait.drained)
        #expect(wait.status.connections == 0)
        #expect(wait.polls == 3)  // the drain's read-back took 3 -> 2; then 2, 1, 0

        // Idempotent: draining a drained host is fine, and so is restoring twice.
        #expect(try await gateway.drain(target).state == .draining)
        #expect(try await gateway.restore(target).state == .inRotation)
        let again = try await gateway.restore(target)
        #expect(again.state == .inRotation)
        #expect(again.host == "web1")
        #expect(try read("\(dir)/web1.state") == "in_rotation\n")
    }

    @Test func waitStopsAtTheDeadlineWithTheLastCountSeen() async throws {
        let dir = try temporaryDirectory("cmd-gw")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write("draining\n", "\(dir)/web2.state")
        let (gateway, spec) = try makeGateway(dir, status: "echo 'state=draining connections=7'")
        let target = try GatewayFactory.target(spec: spec, host: "web2", render: renderer(hosts: ["web2"]))
        // A deadline of many intervals: it keeps polling even when starting the status command is slow on a busy
        // machine (with 2 s, one slow `sh` start left room for a single poll).
        let wait = try await waitUntilDrained(
            gateway: gateway, target: target, deadline: .seconds(4), interval: .milliseconds(50))
        #expect(!wait.drained)
        #expect(wait.status.connections == 7)
        #expect(wait.polls >= 2)
        #expect(wait.elapsed >= .seconds(4))
    }

    @Test func aHostBackInRotationWhileWaitingIsAnError() async throws {
        let dir = try temporaryDirectory("cmd-gw")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (gateway, spec) = try makeGateway(dir, status: "echo 'state=in_rotation connections=2'")
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1"]))
        let error = await #expect(throws: GatewayError.self) {
            try await waitUntilDrained(gateway: gateway, target: target, deadline: .seconds(5), interval: .seconds(1))
        }
        #expect(error?.code == .notConfirmed)
        // And the drain itself reports that the status contradicts it.
        let drainError = await #expect(throws: GatewayError.self) { try await gateway.drain(target) }
        #expect(drainError?.code == .notConfirmed)
    }

    @Test func outputOutsideTheContractNamesTheCommandAndItsOutput() async throws {
        let dir = try temporaryDirectory("cmd-gw")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (gateway, spec) = try makeGateway(dir, status: "echo 'connections: lots'")
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1"]))
        let error = await #expect(throws: GatewayError.self) { try await gateway.status(target) }
        #expect(error?.code == .unreadableStatus)
        #expect(error?.message.contains("echo 'connections: lots'") == true)
        #expect(error?.message.contains("`connections: lots") == true)
    }

    @Test func aFailingDrainCommandIsAnErrorWithItsStatusAndOutput() async throws {
        let spec = try gatewaySpec(
            """
            type: command
            drain: "echo 'no route to lb' >&2; exit 3"
            restore: "true"
            """)
        let gateway = try GatewayFactory.make(
            spec: spec, runner: LocalGatewayRunner(), render: renderer(hosts: ["web1"]))
        let target = GatewayTarget(host: "web1", server: "web1")
        let error = await #expect(throws: GatewayError.self) { try await gateway.drain(target) }
        #expect(error?.code == .commandFailed)
        #expect(error?.message.contains("status 3") == true)
        #expect(error?.message.contains("no route to lb") == true)
        // Without a status command nothing can be read back, and the status says so.
        let status = try await gateway.status(target)
        #expect(status.state == .unknown)
        #expect(status.connections == nil)
    }

    @Test func aBareCountIsTheConnectionCount() throws {
        #expect(try GatewayStatusOutput.parse("12\n", command: "c") == (.unknown, 12))
        #expect(try GatewayStatusOutput.parse("\nstate=out connections=0\n", command: "c") == (.out, 0))
        #expect(try GatewayStatusOutput.parse("connections=4 state=draining", command: "c") == (.draining, 4))
        #expect(try GatewayStatusOutput.parse("state=in_rotation", command: "c") == (.inRotation, nil))
        for bad in ["", "-1", "state=gone", "state=out extra=1", "1\n2", "state=unknown"] {
            #expect(throws: GatewayError.self, "\(bad)") { try GatewayStatusOutput.parse(bad, command: "c") }
        }
    }

    @Test func anUndefinedVariableIsASettingsError() async throws {
        let spec = try gatewaySpec(
            """
            type: command
            drain: "echo {{ lb_pool }}"
            restore: "true"
            """)
        let gateway = try GatewayFactory.make(
            spec: spec, runner: LocalGatewayRunner(), render: renderer(hosts: ["web1"]))
        let error = await #expect(throws: GatewayError.self) {
            try await gateway.drain(GatewayTarget(host: "web1", server: "web1"))
        }
        #expect(error?.code == .invalidSettings)
        #expect(error?.message.contains("lb_pool") == true)
    }

    @Test func theLocalRunnerPassesStdinAndKillsACommandAtItsTimeout() async throws {
        let runner = LocalGatewayRunner()
        let echoed = try await runner.run("tr a-z A-Z", stdin: Array("show stat\n".utf8), timeout: .seconds(10))
        #expect(echoed == GatewayCommandResult(status: 0, stdout: "SHOW STAT\n", stderr: ""))
        let failed = try await runner.run("echo oops >&2; exit 4", stdin: nil, timeout: .seconds(10))
        #expect(failed.status == 4)
        #expect(failed.stderr == "oops\n")
        let start = ContinuousClock.now
        await #expect(throws: GatewayError.self) {
            try await runner.run("exec sleep 30", stdin: nil, timeout: .milliseconds(300))
        }
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
