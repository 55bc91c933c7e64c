import ArgumentParser
import RolloutConfig
import SSHClient

extension HostKeyChecking: ExpressibleByArgument {}

/// How the controller reaches hosts: timeouts, host key policy. The fan-out (`--forks`) is `FanOutOptions`, for
/// the commands whose width it sets; a rollout's width is its playbook's `serial`/`window`.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Time allowed to connect, exchange keys and authenticate (e.g. 10s, 1m).")
    var connectTimeout: String = "10s"

    @Option(help: "strict: refuse unknown and changed host keys. accept-new: record unknown keys, refuse changed ones.")
    var hostKeyChecking: HostKeyChecking = .strict

    func validate() throws {
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
