import RolloutConfig
import RolloutCore
import RolloutText
import Synchronization

/// The LVS driver, through `ipvsadm` on the director.
///
/// `drain` quiesces the real server: `ipvsadm -e -t|-u VIP:PORT -r RS:PORT -w 0` (established connections go
/// on, new ones go elsewhere). The weight it had is read from `ipvsadm -L -n` first and remembered by this driver
/// (and shown in the status detail); `restore` sets that weight back, or the playbook's `weight` when this
/// process did not see the drain (a controller that died in between). Both read the listing back and throw unless
/// it shows the weight asked for. Connections are the `ActiveConn` column; `InActConn` is in the detail.
public struct LVSGateway: TrafficGateway {
    public let kind = "lvs"
    /// `tcp:VIP:PORT` or `udp:VIP:PORT`.
    public var virtualService: Template
    /// The weight to restore when no drain by this driver recorded the original one.
    public var configuredWeight: Int
    public var runner: any GatewayCommandRunner
    public var render: GatewayTemplateRenderer
    /// The command, e.g. `sudo ipvsadm` when the gateway user is not root.
    public var ipvsadm: [String]
    public var timeout: Duration
    private let weights = WeightMemory()

    public init(
        virtualService: Template, configuredWeight: Int, runner: any GatewayCommandRunner,
        render: @escaping GatewayTemplateRenderer, ipvsadm: [String] = ["ipvsadm"], timeout: Duration = .seconds(30)
    ) {
        self.virtualService = virtualService
        self.configuredWeight = configuredWeight
        self.runner = runner
        self.render = render
        self.ipvsadm = ipvsadm
        self.timeout = timeout
    }

    public func drain(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        let service = try service(for: target)
        let before = try await realServer(service, target)
        if before.weight > 0 { weights.remember(before.weight, for: service.key(target)) }
        return try await setWeight(0, service, target)
    }

    public func restore(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        let service = try service(for: target)
        return try await setWeight(weights.recall(service.key(target)) ?? configuredWeight, service, target)
    }

    public func status(_ target: GatewayTarget) async throws -> GatewayServerStatus {
        let service = try service(for: target)
        return describe(try await realServer(service, target), target, service)
    }

    /// The argv that sets the weight (`ipvsadm -e -t VIP:PORT -r RS:PORT -w WEIGHT`).
    public func editCommand(_ target: GatewayTarget, weight: Int) throws -> [String] {
        try service(for: target).edit(realServer: target.server, weight: weight)
    }

    /// The argv that lists the virtual service (`ipvsadm -L -n -t VIP:PORT`).
    public func listCommand(_ target: GatewayTarget) throws -> [String] {
        try service(for: target).list()
    }

    private func setWeight(_ weight: Int, _ service: IPVSCommands, _ target: GatewayTarget) async throws
        -> GatewayServerStatus
    {
        let argv = try editCommand(target, weight: weight)
        let command = ShellQuote.join(argv)
        let result = try await runner.run(command, stdin: nil, timeout: timeout)
        guard result.status == 0 else {
            throw Self.failure("setting the weight of \(target.server) in \(service.text)", command, result)
        }
        let after = try await realServer(service, target)
        guard after.weight == weight else {
            throw GatewayError(
                .notConfirmed,
                "`\(command)` succeeded but `ipvsadm -L -n` shows weight \(after.weight) for \(target.server) in "
                    + "\(service.text); another tool (keepalived, ldirectord) may manage this weight")
        }
        return describe(after, target, service)
    }

    private func realServer(_ service: IPVSCommands, _ target: GatewayTarget) async throws
        -> IPVSListing.RealServer
    {
        let command = ShellQuote.join(try listCommand(target))
        let result = try await runner.run(command, stdin: nil, timeout: timeout)
        guard result.status == 0 else { throw Self.failure("listing \(service.text)", command, result) }
        let listing = try IPVSListing(result.stdout)
        guard
            let server = listing.realServer(
                service: service.address, protocolName: service.protocolName, address: target.server)
        else {
            throw GatewayError(
                .unknownServer,
                "`\(command)` lists no real server \(target.server) in \(service.text); check `virtual_service` and "
                    + "`real_server` in the playbook's gateway (addresses as `ipvsadm -L -n` prints them)")
        }
        return server
    }

    private func describe(_ server: IPVSListing.RealServer, _ target: GatewayTarget, _ service: IPVSCommands)
        -> GatewayServerStatus
    {
        var detail = "weight \(server.weight)"
        if server.weight == 0, let original = weights.recall(service.key(target)) {
            detail += " (was \(original))"
        }
        detail += ", InActConn \(server.inactiveConnections)"
        return GatewayServerStatus(
            host: target.host, state: server.weight == 0 ? .draining : .inRotation,
            connections: server.activeConnections, detail: detail)
    }

    private func service(for target: GatewayTarget) throws -> IPVSCommands {
        let text = try render(virtualService, target.host)
        guard let service = IPVSCommands(virtualService: text, ipvsadm: ipvsadm) else {
            throw GatewayError(
                .invalidSettings, "the LVS virtual service `\(text)` must be `tcp:VIP:PORT` or `udp:VIP:PORT`")
        }
        _ = try GatewayFactory.checked(service.address, .lvsAddress, virtualService)
        _ = try GatewayFactory.checked(target.server, .lvsAddress, "the real server of \(target.host)")
        return service
    }

    private static func failure(_ what: String, _ command: String, _ result: GatewayCommandResult) -> GatewayError {
        let output = result.stderr + result.stdout
        if output.contains("No such service") || output.contains("No such destination") {
            return GatewayError(.unknownServer, "\(what): `\(command)`\(result.outputSummary)")
        }
        return GatewayError.failed(what, command: command, result)
    }
}

extension IPVSCommands {
    /// The key of a remembered weight: the virtual service and the real server.
    func key(_ target: GatewayTarget) -> String { "\(text)|\(target.server)" }
}

/// Original weights seen by `drain`, per virtual service and real server.
final class WeightMemory: Sendable {
    private let weights = Mutex<[String: Int]>([:])

    func remember(_ weight: Int, for key: String) { weights.withLock { $0[key] = weight } }
    func recall(_ key: String) -> Int? { weights.withLock { $0[key] } }
}
