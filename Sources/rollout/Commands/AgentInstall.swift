import ArgumentParser
import Foundation
import RolloutConfig
import RolloutCore
import RolloutEngine

extension AgentInit: ExpressibleByArgument {}

/// `rollout agent ...`.
struct AgentGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Manage the per-host rollout-agent.", subcommands: [AgentInstall.self])
}

/// `rollout agent install`: puts `rollout-agent` and its config on every host and makes sure it runs.
struct AgentInstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install or update rollout-agent and its config on every host, and start it.",
        discussion: """
            Idempotent: the binary is compared by SHA-256 and the config by content. Per host: installed (it was not \
            running), recovered (the agent had died and left the service running: the new agent took the service \
            over, same pid and sockets, nothing restarted), updated (new binary: the agent re-executes itself in \
            place, same pid and sockets; new config: reload) or unchanged. The config comes from the playbook's `agent` section (docs/playbook.md). \
            Exit codes: 0 ok, 1 a host failed, 2 invalid input, 3 a host unreachable.
            """)

    @Option(name: .shortAndLong, help: "Inventory name (inventories/NAME.yml, .yaml or .ini) or path.")
    var inventory: String

    @Option(name: .shortAndLong, help: "Playbook name or path (its `service` and `agent` sections).")
    var playbook: String?

    @Option(name: .shortAndLong, help: "Hosts to work on (as --limit everywhere).")
    var limit: String?

    @Option(name: .customLong("var"), help: "A variable, key=value (repeatable).")
    var vars: [String] = []

    @Option(name: .customLong("init"), help: "none (a background process with a pid file) or systemd (a unit).")
    var initSystem: AgentInit = .none

    @Option(name: .long, help: "Where --init systemd writes the unit rollout-agent-SERVICE.service.")
    var unitDirectory: String = "/etc/systemd/system"

    @Option(name: .long, help: "The agent binary to install (default: rollout-agent next to this rollout).")
    var agentBinary: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var fanOut: FanOutOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let targets: [AgentInstallTarget]
        let loaded: Inventory
        do {
            loaded = try Inventory.load(inventory)
            let playbook = try Playbook.load(self.playbook)
            targets = try AgentInstallPlanner.plan(
                inventory: loaded, playbook: playbook, limit: limit, extraVars: try ExtraVariables.parse(vars))
        } catch {
            printError(error)
            throw RolloutExit.invalidInput
        }
        let binary = agentBinary ?? Self.siblingAgent()
        let installer: AgentInstaller
        do {
            installer = try AgentInstaller(binaryPath: binary, initSystem: initSystem, unitDirectory: unitDirectory)
        } catch {
            printError(error)
            throw RolloutExit.invalidInput
        }
        let fleet = FleetConnections(resolver: EndpointResolver(inventory: loaded), options: connection.sshOptions)
        let results = await boundedFanOut(targets, limit: fanOut.forks) { target in
            await installer.install(target, fleet: fleet)
        }
        await fleet.closeAll()
        switch output.output {
        case .text:
            var table = TextTable("HOST", "RESULT", "CHANGED", "ERROR")
            for result in results {
                table.add([
                    result.host, result.change?.rawValue ?? (result.outcome.errorCode ?? "failed"),
                    result.details.joined(separator: ","), result.outcome.errorMessage ?? "",
                ])
            }
            print(table.render(), terminator: "")
        case .json:
            try printJSON(
                results.map {
                    AgentInstallReport(
                        host: $0.host, result: $0.change?.rawValue, changed: $0.details, error: HostError($0.outcome))
                })
        }
        throw Ping.exitCode(results.map(\.outcome))
    }

    /// `rollout-agent` in the directory of the running `rollout`.
    static func siblingAgent() -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = Bundle.main.executablePath ?? executable.path
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("rollout-agent").path
    }
}

struct AgentInstallReport: Encodable {
    var host: String
    var result: String?
    var changed: [String]
    var error: HostError?
}
