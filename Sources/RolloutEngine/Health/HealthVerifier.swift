import Foundation
import RolloutCore
import RolloutJSON
import RolloutStore

/// Runs a host's planned health checks: each must pass `successes` times in a row before its deadline, and with
/// a version check the new version must be the one answering.
public struct HealthVerifier: Sendable {
    public var shell: HostShell

    public init(shell: HostShell) {
        self.shell = shell
    }

    /// Every check in order; throws `DeployError.health` with the last failure of the first check that did not
    /// pass. Returns what each check saw last, for the journal.
    public func verify(_ checks: [PlannedHealthCheck], isCancelled: @Sendable () -> Bool = { false }) async throws
        -> JSONValue
    {
        var details: [JSONValue] = []
        for check in checks {
            details.append(try await verify(check, isCancelled: isCancelled))
        }
        return .array(details)
    }

    private func verify(_ check: PlannedHealthCheck, isCancelled: @Sendable () -> Bool) async throws -> JSONValue {
        let clock = ContinuousClock()
        let deadline = clock.now + check.deadline
        var consecutive = 0
        var attempts = 0
        var lastError = "no attempt"
        while true {
            attempts += 1
            do {
                let seen = try await attempt(check)
                consecutive += 1
                if consecutive >= max(1, check.successes) {
                    return .object([
                        "probe": .string(describe(check.probe)), "attempts": .int(Int64(attempts)),
                        "seen": .string(seen),
                    ])
                }
            } catch {
                consecutive = 0
                lastError = (error as? DeployError)?.message ?? String(describing: error)
            }
            if clock.now + check.interval > deadline
                || (check.retries > 0 && attempts > check.retries + check.successes)
                || isCancelled()
            {
                throw DeployError(
                    .health,
                    "\(describe(check.probe)) did not pass on \(shell.host) (\(attempts) attempts in \(check.deadline)): "
                        + lastError)
            }
            try await Task.sleep(for: check.interval)
        }
    }

    /// One probe; returns what it saw (the status and version) or throws why it failed.
    private func attempt(_ check: PlannedHealthCheck) async throws -> String {
        switch check.probe {
        case .http(let url, let status, let bodyContains, let versionHeader, let versionJSONKey):
            let response = try await shell.connection.httpGet(url, timeout: check.timeout)
            guard response.status == status else {
                throw DeployError(.health, "\(url) answered \(response.status), expected \(status)")
            }
            if let bodyContains, !response.body.contains(bodyContains) {
                throw DeployError(.health, "\(url): the body does not contain `\(bodyContains)`")
            }
            var version: String?
            if let versionHeader { version = response.headers[versionHeader.lowercased()] }
            if let versionJSONKey, let document = try? JSONValue(parsing: response.body) {
                version = document[versionJSONKey].flatMap(Self.versionText)
            }
            if let expected = check.expectVersion, version != expected {
                throw DeployError(.health, "\(url) serves version \(version ?? "none"), expected \(expected)")
            }
            return "\(response.status)" + (version.map { " version \($0)" } ?? "")
        case .tcp(let host, let port):
            try await shell.connection.tcpConnect(host: host, port: port, timeout: check.timeout)
            return "connected"
        case .command(let command):
            var lenient = command
            lenient.mayFail = true
            let result = try await shell.run(lenient, timeout: check.timeout)
            guard result.succeeded else {
                throw DeployError(
                    .health,
                    "`\(command.argv.last ?? "")` \(result.statusDescription): "
                        + result.stderrText.suffix(200))
            }
            return "exit 0"
        }
    }

    /// A version member as text: a string as it is, a number or a boolean as written; nil for null, arrays, objects.
    static func versionText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        case .double(let number): String(number)
        case .bool(let flag): String(flag)
        case .null, .array, .object: nil
        }
    }

    private func describe(_ probe: PlannedHealthCheck.Probe) -> String {
        switch probe {
        case .http(let url, _, _, _, _): "http \(url)"
        case .tcp(let host, let port): "tcp \(host):\(port)"
        case .command(let command): "command `\(command.argv.last ?? "")`"
        }
    }
}
