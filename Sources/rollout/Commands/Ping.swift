import ArgumentParser
import Foundation
import RolloutEngine

/// `rollout ping`: connect to every host in parallel and run `uname -sr`.
struct Ping: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that every host answers over SSH.",
        discussion: "Exit 0 only if every host answered; 3 if any was unreachable; 1 if any failed to run uname."
    )

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var fanOut: FanOutOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let (inventory, hosts) = try self.inventory.load()
        let fleet = FleetConnections(resolver: EndpointResolver(inventory: inventory), options: connection.sshOptions)
        let timeout = try connection.parsedConnectTimeout()
        let results = await boundedFanOut(hosts, limit: fanOut.forks) { host in
            await HostProbe.ping(host, fleet: fleet, timeout: timeout)
        }
        await fleet.closeAll()

        switch output.output {
        case .text: print(Self.table(results), terminator: "")
        case .json: try printJSON(PingReport(results))
        }
        throw Self.exitCode(results.map(\.outcome))
    }

    static func table(_ results: [PingResult]) -> String {
        var table = TextTable("HOST", "ADDRESS", "RESULT", "CONNECT", "RTT", "SYSTEM")
        for r in results {
            table.add([
                r.host, "\(r.address):\(r.port)",
                r.outcome.isOK ? "ok" : (r.outcome.errorCode ?? "failed"),
                r.connectMilliseconds.map { String(format: "%.1fms", $0) } ?? "-",
                r.roundTripMilliseconds.map { String(format: "%.1fms", $0) } ?? "-",
                r.system ?? (r.outcome.errorMessage ?? ""),
            ])
        }
        let ok = results.filter(\.outcome.isOK).count
        return table.render() + "\(ok)/\(results.count) hosts answered\n"
    }

    /// 0 when every host is fine, 3 when any was unreachable, else 1.
    static func exitCode(_ outcomes: [HostOutcome]) -> ExitCode {
        if outcomes.contains(where: \.isUnreachable) { return RolloutExit.unreachable }
        if outcomes.contains(where: { !$0.isOK }) { return RolloutExit.failed }
        return RolloutExit.ok
    }
}

/// The JSON document of `rollout ping --output json`.
struct PingReport: Encodable {
    struct Host: Encodable {
        var name: String
        var address: String
        var port: Int
        var ok: Bool
        var connectMs: Double?
        var rttMs: Double?
        var system: String?
        var error: HostError?
    }
    var hosts: [Host]
    var summary: Summary

    init(_ results: [PingResult]) {
        hosts = results.map {
            Host(name: $0.host, address: $0.address, port: $0.port, ok: $0.outcome.isOK,
                 connectMs: roundedMilliseconds($0.connectMilliseconds),
                 rttMs: roundedMilliseconds($0.roundTripMilliseconds), system: $0.system,
                 error: HostError($0.outcome))
        }
        summary = Summary(results.map(\.outcome))
    }
}

/// How a host failed, in JSON reports.
struct HostError: Encodable {
    var kind: String
    var code: String
    var message: String

    init?(_ outcome: HostOutcome) {
        switch outcome {
        case .ok: return nil
        case .failed(let code, let message): (kind, self.code, self.message) = ("failed", code, message)
        case .unreachable(let code, let message): (kind, self.code, self.message) = ("unreachable", code, message)
        }
    }
}

/// Host counts by outcome, in JSON reports.
struct Summary: Encodable {
    var total: Int
    var ok: Int
    var failed: Int
    var unreachable: Int

    init(_ outcomes: [HostOutcome]) {
        total = outcomes.count
        ok = outcomes.filter(\.isOK).count
        unreachable = outcomes.filter(\.isUnreachable).count
        failed = total - ok - unreachable
    }
}
