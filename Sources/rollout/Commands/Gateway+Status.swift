import ArgumentParser
import Foundation
import RolloutConfig
import RolloutEngine
import RolloutGateway

extension Gateway {
    /// `rollout gateway status --inventory NAME [--playbook NAME] [--limit ...] [--output text|json]`.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every host's state in the gateway (in_rotation, draining, out, unknown) and connections.",
            discussion: """
                Reads the gateway of the playbook's `gateway:` section, on the controller or over SSH on the \
                gateway host, and changes nothing. The hosts are the playbook's hosts whose strategy is `drain`. \
                Exit 0 when every host was read; 1 when any could not be read; 3 when the gateway host was \
                unreachable; 2 on invalid input (or a playbook without a gateway). JSON: {"gateway": {...}, \
                "hosts": [{"host", "server", "state", "connections", "detail", "error"}], "summary": {...}}.
                """
        )

        @OptionGroup var inventory: InventoryOptions
        @Option(
            name: .shortAndLong,
            help: "Playbook name (playbooks/NAME.yml) or path. Default: playbooks/default.yml, or the only playbook.")
        var playbook: String?
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var fanOut: FanOutOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let (inventory, selected) = try self.inventory.load()
            let playbook: Playbook
            do {
                playbook = try Playbook.load(self.playbook)
            } catch {
                printError(error)
                throw RolloutExit.invalidInput
            }
            guard let spec = playbook.gateway else {
                printError("\(playbook.file) has no `gateway:` section; there is no gateway to ask")
                throw RolloutExit.invalidInput
            }
            let fromPlaybook = Set(((try? inventory.select(limit: playbook.hosts)) ?? []).map(\.name))
            let hosts = selected.filter {
                fromPlaybook.contains($0.name) && playbook.strategy(for: $0, in: inventory) == .drain
            }
            let fleet = FleetConnections(resolver: EndpointResolver(inventory: inventory), options: connection.sshOptions)
            let lines: [GatewayHostStatus]
            do {
                let runner = try GatewayStatusCollector.runner(for: spec, inventory: inventory, fleet: fleet)
                lines = try await GatewayStatusCollector.collect(
                    playbook: playbook, spec: spec, inventory: inventory, hosts: hosts, runner: runner,
                    limit: fanOut.forks)
            } catch {
                await fleet.closeAll()
                printError("\(error)")
                throw RolloutExit.invalidInput
            }
            await fleet.closeAll()
            switch output.output {
            case .text: print(Self.table(lines, spec: spec), terminator: "")
            case .json: try printJSON(GatewayStatusReport(lines, spec: spec))
            }
            throw Ping.exitCode(lines.map(\.outcome))
        }

        static func table(_ lines: [GatewayHostStatus], spec: GatewaySpec) -> String {
            var table = TextTable("HOST", "SERVER", "STATE", "CONNECTIONS", "DETAIL")
            for line in lines {
                table.add([
                    line.host, line.server ?? "-", line.status?.state.rawValue ?? "error",
                    line.status?.connections.map(String.init) ?? "-",
                    line.status?.detail ?? line.outcome.errorMessage ?? "",
                ])
            }
            let read = lines.filter(\.outcome.isOK).count
            return table.render()
                + "\(spec.settings.kind.rawValue) gateway on \(spec.on): \(read)/\(lines.count) hosts read\n"
        }
    }
}

/// The JSON document of `rollout gateway status --output json`.
struct GatewayStatusReport: Encodable {
    struct GatewayInfo: Encodable {
        var type: String
        var on: String
    }
    struct Host: Encodable {
        var host: String
        var server: String?
        var state: String?
        var connections: Int?
        var detail: String?
        var error: HostError?
    }
    var gateway: GatewayInfo
    var hosts: [Host]
    var summary: Summary

    init(_ lines: [GatewayHostStatus], spec: GatewaySpec) {
        gateway = GatewayInfo(type: spec.settings.kind.rawValue, on: spec.on)
        hosts = lines.map {
            Host(
                host: $0.host, server: $0.server, state: $0.status?.state.rawValue, connections: $0.status?.connections,
                detail: $0.status?.detail, error: HostError($0.outcome))
        }
        summary = Summary(lines.map(\.outcome))
    }
}

extension GatewaySpec.Settings {
    /// The `type:` this setting was written with.
    var kind: GatewaySpec.Kind {
        switch self {
        case .haproxy: .haproxy
        case .lvs: .lvs
        case .nginx: .nginx
        case .command: .command
        }
    }
}
