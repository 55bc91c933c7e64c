import Foundation
import RolloutConfig
import RolloutCore
import RolloutGateway
import RolloutTestSupport
import Synchronization
import Testing

/// IPVS is not available in this machine's kernel (`ipvsadm` fails with "Can't initialize ipvs: Protocol not
/// available"), so these tests run the LVS driver against a FAKE `ipvsadm`: a runner that records the exact
/// command lines the driver sends and answers listings in the output format of the real `ipvsadm` 1.31 (the
/// printf formats read from Debian's `/usr/sbin/ipvsadm`: `"IP Virtual Server version %d.%d.%d (size=%d)"`,
/// the `Prot LocalAddress:Port Scheduler Flags` / `-> RemoteAddress:Port Forward Weight ActiveConn InActConn`
/// headers, `"%-4s %s"` service names and `"  -> %-28s %-7s %-6d %-10u %-10u"` real-server lines).
@Suite struct LVSGatewayTests {
    @Test func fakeIpvsadmDrainSetsWeightZeroRemembersTheWeightAndRestoresIt() async throws {
        let ipvs = FakeIpvsadmRunner(weights: ["10.0.0.11:8080": 3, "10.0.0.12:8080": 1], active: 5)
        let (gateway, spec) = try makeGateway(ipvs, weight: 1)
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1", "web2"]))
        #expect(target.server == "10.0.0.11:8080")

        let drained = try await gateway.drain(target)
        #expect(drained.state == .draining)
        #expect(drained.connections == 5)
        #expect(drained.detail == "weight 0 (was 3), InActConn 2")
        #expect(
            ipvs.commands == [
                "ipvsadm -L -n -t 10.0.0.1:80",
                "ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.11:8080 -w 0",
                "ipvsadm -L -n -t 10.0.0.1:80",
            ])
        // Draining again keeps the original weight (the listing now says 0).
        _ = try await gateway.drain(target)
        #expect(ipvs.weight("10.0.0.11:8080") == 0)

        let restored = try await gateway.restore(target)
        #expect(restored.state == .inRotation)
        #expect(ipvs.commands.suffix(2) == ["ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.11:8080 -w 3", "ipvsadm -L -n -t 10.0.0.1:80"])
        #expect(ipvs.weight("10.0.0.11:8080") == 3)
        #expect(ipvs.weight("10.0.0.12:8080") == 1)
    }

    @Test func fakeIpvsadmARestoreByAFreshControllerUsesThePlaybookWeight() async throws {
        let ipvs = FakeIpvsadmRunner(weights: ["10.0.0.11:8080": 0], active: 0)
        let (gateway, spec) = try makeGateway(ipvs, weight: 4)
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1"]))
        let status = try await gateway.status(target)
        #expect(status.state == .draining)
        #expect(status.connections == 0)
        #expect(try await gateway.restore(target).state == .inRotation)
        #expect(ipvs.commands[1] == "ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.11:8080 -w 4")
    }

    @Test func fakeIpvsadmAWeightThatDoesNotStickIsNotConfirmed() async throws {
        let ipvs = FakeIpvsadmRunner(weights: ["10.0.0.11:8080": 2], active: 0, ignoreEdits: true)
        let (gateway, spec) = try makeGateway(ipvs, weight: 1)
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1"]))
        let error = await #expect(throws: GatewayError.self) { try await gateway.drain(target) }
        #expect(error?.code == .notConfirmed)
        #expect(error?.message.contains("weight 2") == true)
    }

    @Test func fakeIpvsadmAnUnknownRealServerOrServiceIsAClearError() async throws {
        let ipvs = FakeIpvsadmRunner(weights: ["10.0.0.12:8080": 1], active: 0)
        let (gateway, spec) = try makeGateway(ipvs, weight: 1)
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1"]))
        let error = await #expect(throws: GatewayError.self) { try await gateway.drain(target) }
        #expect(error?.code == .unknownServer)
        #expect(error?.message.contains("10.0.0.11:8080") == true)

        let (wrongService, _) = try makeGateway(ipvs, weight: 1, service: "tcp:10.0.0.9:443")
        let missing = await #expect(throws: GatewayError.self) { try await wrongService.status(target) }
        #expect(missing?.code == .unknownServer)
        #expect(missing?.message.contains("No such service") == true)
    }

    @Test func listingsOfTheRealFormatAreReadByColumnName() throws {
        // The tunnel variant of the header has an extra `TunnelInfo` column before `Weight`.
        let text = """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port Scheduler Flags
              -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn
            TCP  10.0.0.1:80 wlc persistent 300
              -> 10.0.0.11:8080               Tunnel  ipip          2      17         40
            UDP  [2001:db8::1]:53 rr
              -> [2001:db8::11]:53            Masq    none          1      0          3
            """
        let listing = try IPVSListing(text)
        let tcp = try #require(listing.realServer(service: "10.0.0.1:80", protocolName: "tcp", address: "10.0.0.11:8080"))
        #expect(tcp.weight == 2)
        #expect(tcp.activeConnections == 17)
        #expect(tcp.inactiveConnections == 40)
        #expect(tcp.forward == "Tunnel")
        let udp = try #require(
            listing.realServer(service: "[2001:db8::1]:53", protocolName: "UDP", address: "[2001:db8::11]:53"))
        #expect(udp.inactiveConnections == 3)
        #expect(listing.services.map(\.scheduler) == ["wlc", "rr"])
        #expect(throws: GatewayError.self) { try IPVSListing("Can't initialize ipvs: Protocol not available\n") }
    }

    /// What can be checked of the real binary here: every option the driver generates is one Debian's ipvsadm
    /// documents in its usage text (the binary cannot parse a command line without a kernel with IPVS: it
    /// initialises IPVS before it reads its arguments).
    @Test func theRealIpvsadmDocumentsEveryOptionTheDriverGenerates() async throws {
        let binary = try BuiltProducts.tool("ipvsadm")
        let usage = String(decoding: try Data(contentsOf: URL(fileURLWithPath: binary)), as: UTF8.self)
        let (gateway, spec) = try makeGateway(FakeIpvsadmRunner(weights: [:], active: 0), weight: 1)
        let lvs = try #require(gateway as? LVSGateway)
        let target = try GatewayFactory.target(spec: spec, host: "web1", render: renderer(hosts: ["web1"]))
        let documented = [
            "-e": "--edit-server     -e", "-t": "--tcp-service|-t  service-address", "-r": "--real-server  -r",
            "-w": "--weight       -w weight", "-L": "--list            -L|-l", "-n": "--numeric      -n",
        ]
        for argv in [try lvs.editCommand(target, weight: 0), try lvs.listCommand(target)] {
            #expect(argv.first == "ipvsadm")
            for option in argv.dropFirst() where option.hasPrefix("-") {
                let line = try #require(documented[option], "option \(option) is not in the table above")
                #expect(usage.contains(line), "\(binary) does not document \(option)")
            }
        }
        // And the real binary, given that command line here, fails for the kernel's reason, not a usage error.
        let run = try runCommand(binary, Array(try lvs.editCommand(target, weight: 0).dropFirst()))
        #expect(run.status != 0)
        #expect(run.stderr.contains("Can't initialize ipvs"))
    }

    private func makeGateway(_ runner: FakeIpvsadmRunner, weight: Int, service: String = "tcp:10.0.0.1:80") throws
        -> (any TrafficGateway, GatewaySpec)
    {
        let spec = try gatewaySpec(
            """
            type: lvs
            on: director1
            virtual_service: "\(service)"
            real_server: "{{ host.address }}:8080"
            weight: \(weight)
            """)
        return (try GatewayFactory.make(spec: spec, runner: runner, render: renderer(hosts: ["web1", "web2"])), spec)
    }
}

/// A FAKE `ipvsadm` for a kernel without IPVS: records each command line and answers like the real one for the
/// virtual service `TCP 10.0.0.1:80`.
final class FakeIpvsadmRunner: GatewayCommandRunner {
    private struct State {
        var weights: [String: Int]
        var commands: [String] = []
    }

    private let state: Mutex<State>
    private let active: Int
    private let ignoreEdits: Bool

    init(weights: [String: Int], active: Int, ignoreEdits: Bool = false) {
        state = Mutex(State(weights: weights))
        self.active = active
        self.ignoreEdits = ignoreEdits
    }

    var commands: [String] { state.withLock { $0.commands } }
    func weight(_ server: String) -> Int? { state.withLock { $0.weights[server] } }

    func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult {
        let argv = command.split(separator: " ").map(String.init)
        return state.withLock { state in
            state.commands.append(command)
            if argv.count == 5, argv[1] == "-L", argv[2] == "-n", argv[3] == "-t" {
                guard argv[4] == "10.0.0.1:80" else {
                    return GatewayCommandResult(status: 1, stdout: "", stderr: "No such service\n")
                }
                var text = """
                    IP Virtual Server version 1.2.1 (size=4096)
                    Prot LocalAddress:Port Scheduler Flags
                      -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                    TCP  10.0.0.1:80 wlc

                    """
                for (server, weight) in state.weights.sorted(by: { $0.key < $1.key }) {
                    text += "  -> " + pad(server, 28) + " " + pad("Route", 7) + " " + pad("\(weight)", 6) + " "
                        + pad("\(active)", 10) + " " + pad("2", 10) + "\n"
                }
                return GatewayCommandResult(status: 0, stdout: text, stderr: "")
            }
            if argv.count == 8, argv[1] == "-e", argv[2] == "-t", argv[4] == "-r", argv[6] == "-w",
                let weight = Int(argv[7])
            {
                guard argv[3] == "10.0.0.1:80" else {
                    return GatewayCommandResult(status: 1, stdout: "", stderr: "Service not defined\n")
                }
                guard state.weights[argv[5]] != nil else {
                    return GatewayCommandResult(status: 1, stdout: "", stderr: "No such destination\n")
                }
                if !ignoreEdits { state.weights[argv[5]] = weight }
                return GatewayCommandResult(status: 0, stdout: "", stderr: "")
            }
            return GatewayCommandResult(status: 2, stdout: "", stderr: "fake ipvsadm: unexpected `\(command)`\n")
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
