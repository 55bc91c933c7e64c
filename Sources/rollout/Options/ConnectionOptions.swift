import ArgumentParser
import RolloutConfig
import SSHClient

extension HostKeyChecking: ExpressibleByArgument {}

/// How the controller reaches hosts: fan-out, timeouts, host key policy.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "How many hosts to work on at once.")
    var forks: Int = 20

    @Option(help: "Time allowed to connect, exchange keys and authenticate (e.g. 10s, 1m).")
    var connectTimeout: String = "10s"

    @Option(help: "strict: refuse unknown and changed host keys. accept-new: record unknown keys, refuse changed ones.")
    var hostKeyChecking: HostKeyChecking = .strict

    func validate() throws {
        guard forks >= 1 else { throw ValidationError("--forks must be at least 1") }
        _ = try parsedConnectTimeout()
    }

    func parsedConnectTimeout() throws -> Duration {
        do {
            return try ConfigDuration.parse(connectTimeout)
        } catch {
            throw ValidationError("--connect-timeout: \(error)")
        }
    }

    var sshOptions: SSHOptions {
        SSHOptions(connectTimeout: (try? parsedConnectTimeout()) ?? .seconds(10), hostKeyChecking: hostKeyChecking)
    }
}
