import Foundation
import RolloutConfig

/// What `rollout deploy --simulate KEY=VALUE,...` asks for: a fleet of simulated hosts that answer the engine's
/// commands from memory after a random delay, fail as configured, and never touch the network.
///
/// `hosts=10000,latency=20ms..200ms,failure-rate=0.1%,seed=7`:
/// - `hosts` — generate this many hosts (`sim00001`...); without it the inventory's hosts are simulated;
/// - `latency` — each operation's delay, uniform in the range (`20ms..200ms`) or fixed (`50ms`); default `0ms`;
/// - `failure-rate` — the share of hosts whose deployment fails at one step (`0.1%` or `0.001`); default `0`;
/// - `unreachable` — the share of hosts that never answer: connecting fails after the connect timeout; default `0`;
/// - `seed` — makes delays and failures reproducible; default `1`;
/// - `initial` — the release every simulated host runs before the rollout; default `sim-0`.
public struct SimulationSpec: Sendable, Equatable {
    public var hosts: Int?
    public var latency: ClosedRange<Duration>
    public var failureRate: Double
    public var unreachableRate: Double
    public var seed: UInt64
    public var initialVersion: String

    public init(
        hosts: Int? = nil, latency: ClosedRange<Duration> = .zero ... .zero, failureRate: Double = 0,
        unreachableRate: Double = 0, seed: UInt64 = 1, initialVersion: String = "sim-0"
    ) {
        self.hosts = hosts
        self.latency = latency
        self.failureRate = failureRate
        self.unreachableRate = unreachableRate
        self.seed = seed
        self.initialVersion = initialVersion
    }

    /// The keys `parse` accepts.
    public static let keys = ["hosts", "latency", "failure-rate", "unreachable", "seed", "initial"]

    /// The most hosts one simulation generates.
    public static let maxHosts = 1_000_000

    /// Parses `KEY=VALUE` pairs separated by commas; throws a `SimulationSpecError` naming the bad key.
    public static func parse(_ text: String) throws(SimulationSpecError) -> SimulationSpec {
        var spec = SimulationSpec()
        var seen: Set<String> = []
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).trimmingCharacters(in: .whitespaces)
            guard parts.count == 2 else {
                throw SimulationSpecError(
                    .syntax, key: key, "expected KEY=VALUE, got `\(pair)` (keys: \(keys.joined(separator: ", ")))")
            }
            let value = String(parts[1]).trimmingCharacters(in: .whitespaces)
            guard keys.contains(key) else {
                throw SimulationSpecError(.unknownKey, key: key, "unknown key (keys: \(keys.joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else {
                throw SimulationSpecError(.duplicateKey, key: key, "given twice")
            }
            switch key {
            case "hosts":
                guard let count = Int(value), (1...maxHosts).contains(count) else {
                    throw SimulationSpecError(
                        .badValue, key: key, "`\(value)` is not a host count from 1 to \(maxHosts)")
                }
                spec.hosts = count
            case "latency":
                spec.latency = try parseLatency(value)
            case "failure-rate":
                spec.failureRate = try parseRate(value, key: key)
            case "unreachable":
                spec.unreachableRate = try parseRate(value, key: key)
            case "seed":
                guard let seed = UInt64(value) else {
                    throw SimulationSpecError(.badValue, key: key, "`\(value)` is not a non-negative integer")
                }
                spec.seed = seed
            default:
                guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                    throw SimulationSpecError(.badValue, key: key, "`\(value)` is not a release name ([A-Za-z0-9._-])")
                }
                spec.initialVersion = value
            }
        }
        return spec
    }

    private static func parseLatency(_ value: String) throws(SimulationSpecError) -> ClosedRange<Duration> {
        let bounds = value.split(separator: "..", omittingEmptySubsequences: false)
        guard bounds.count == 1 || bounds.count == 2 else {
            throw SimulationSpecError(.badValue, key: "latency", "`\(value)`: use a duration or a range MIN..MAX")
        }
        var parsed: [Duration] = []
        for bound in bounds {
            do {
                parsed.append(try ConfigDuration.parse(String(bound)))
            } catch {
                throw SimulationSpecError(
                    .badValue, key: "latency", "`\(value)`: \(error.message) (e.g. `20ms..200ms` or `50ms`)")
            }
        }
        guard parsed[0] <= parsed[parsed.count - 1] else {
            throw SimulationSpecError(.badValue, key: "latency", "`\(value)`: the minimum is above the maximum")
        }
        return parsed[0]...parsed[parsed.count - 1]
    }

    private static func parseRate(_ value: String, key: String) throws(SimulationSpecError) -> Double {
        let percent = value.hasSuffix("%")
        guard let number = Double(percent ? String(value.dropLast()) : value), number.isFinite else {
            throw SimulationSpecError(.badValue, key: key, "`\(value)` is not a rate (e.g. `0.1%` or `0.001`)")
        }
        let rate = percent ? number / 100 : number
        guard (0...1).contains(rate) else {
            throw SimulationSpecError(.badValue, key: key, "`\(value)` is not between 0 and 100%")
        }
        return rate
    }

    /// The mean delay of one operation.
    public var meanLatency: Duration { (latency.lowerBound + latency.upperBound) / 2 }
}

extension SimulationSpec {
    /// `latency=20ms..200ms, failure-rate=0.1%, seed=1` (hosts are counted by the caller).
    public var summary: String {
        let latencyText =
            latency.lowerBound == latency.upperBound
            ? "\(latency.lowerBound.simulationText)"
            : "\(latency.lowerBound.simulationText)..\(latency.upperBound.simulationText)"
        let unreachable = unreachableRate > 0 ? ", unreachable=\(unreachableRate * 100)%" : ""
        return "latency=\(latencyText), failure-rate=\(failureRate * 100)%\(unreachable), seed=\(seed)"
    }
}

extension Duration {
    /// Whole milliseconds, as `--simulate` is written: `20ms`.
    var simulationText: String { "\(nanoseconds / 1_000_000)ms" }
}
