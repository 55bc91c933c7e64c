import Foundation
import SSHClient

/// One host of a simulation (`rollout deploy --simulate`): answers the engine's commands — `readlink`, `mkdir`,
/// `sha256sum`, `rm`, `mv`, `ln`, `ls`, `test -d`, `rollout-agent ctl restart|status`, hooks — and its health checks
/// from an in-memory file tree and agent, each after a delay drawn from the simulation's latency range.
/// Nothing here opens a socket or starts a process.
///
/// A host chosen to fail (`failure-rate`, decided by the seed and its name) fails once, at one step: its first
/// upload arrives corrupt (`checksum-mismatch`), or its agent's first restart fails and the old generation keeps
/// serving, or the first generation it starts answers its health checks with 503 until it is replaced.
public final class SimulatedHost: HostTransport, @unchecked Sendable {
    /// Where a failing host fails.
    public enum FailureStep: String, Sendable, CaseIterable {
        case upload, restart, verify
    }

    public let name: String
    /// Set when this host was chosen to fail.
    public let failure: FailureStep?
    let fleet: SimulatedFleet
    let root: String?
    let lock = NSLock()
    var random: SimulationRandom
    var files: SimulatedFileTree
    var closed = false
    /// The release the agent's ready generation runs, and its generation number.
    var serving: String?
    var generation = 1
    /// The generation started by the failing restart step answers 503 (`verify` failures).
    var unhealthyGeneration: Int?
    var failureSpent = false

    init(name: String, fleet: SimulatedFleet) {
        self.name = name
        self.fleet = fleet
        root = fleet.roots[name]
        var random = SimulationRandom(seed: fleet.spec.seed, host: name)
        let chosen = random.unit() < fleet.spec.failureRate
        let step = FailureStep.allCases[Int(random.next() % UInt64(FailureStep.allCases.count))]
        failure = chosen ? step : nil
        self.random = random
        files = SimulatedFileTree(root: root, initialRelease: fleet.spec.initialVersion)
        serving = root == nil ? nil : fleet.spec.initialVersion
    }

    public func execute(
        _ command: String, stdin: [UInt8]?, timeout: Duration?, output: (@Sendable (SSHOutputChunk) -> Void)?
    ) async throws -> SSHCommandResult {
        let delay = try await wait(timeout: timeout, doing: command)
        let (status, stdout, stderr) = lock.withLock { answer(SimulatedCommandLine.split(command)) }
        if let output {
            if !stdout.isEmpty { output(.stdout(Array(stdout.utf8))) }
            if !stderr.isEmpty { output(.stderr(Array(stderr.utf8))) }
        }
        return SSHCommandResult(
            stdout: Array(stdout.utf8), stderr: Array(stderr.utf8), exitStatus: status, exitSignal: nil,
            duration: delay)
    }

    public func upload(
        from localPath: String, to remotePath: String, mode: UInt32?, expectedSHA256: String?, timeout: Duration?
    ) async throws -> SSHUploadResult {
        let delay = try await wait(timeout: timeout, doing: "upload \(remotePath)")
        // The digest the real transport computes while reading: the planned one (reading a 10 MiB artifact for each
        // of 10,000 simulated hosts would measure the local disk, not the controller).
        let size = (try? FileManager.default.attributesOfItem(atPath: localPath)[.size] as? Int64) ?? nil
        guard let size else {
            throw SSHError(.localFile, host: name, "cannot read \(localPath)")
        }
        let sha256 = expectedSHA256 ?? "simulated-\(size)"
        let corrupt = lock.withLock { () -> Bool in
            if takeFailure(.upload) { return true }
            files.set(remotePath, .file(sha256: sha256))
            return false
        }
        if corrupt {
            throw SSHError(
                .checksumMismatch, host: name,
                "simulated failure: \(remotePath) arrived with another SHA-256 (failure-rate, seed \(fleet.spec.seed))")
        }
        return SSHUploadResult(remotePath: remotePath, bytes: size, sha256: sha256, duration: delay)
    }

    public func httpGet(_ url: String, timeout: Duration) async throws -> HTTPProbeResponse {
        _ = try await wait(timeout: timeout, doing: "GET \(url)")
        guard let check = fleet.httpChecks[name]?[url] else {
            return HTTPProbeResponse(status: 404, headers: [:], body: "no such URL on simulated host \(name)\n")
        }
        let (version, healthy) = lock.withLock { (serving, unhealthyGeneration != generation) }
        guard healthy, let version else {
            return HTTPProbeResponse(status: 503, headers: [:], body: "simulated failure: unhealthy generation\n")
        }
        var headers: [String: String] = [:]
        if let header = check.versionHeader { headers[header.lowercased()] = version }
        var body = check.bodyContains.map { "\($0)\n" } ?? "ok\n"
        if let key = check.versionJSONKey {
            body = "{\"\(key)\": \"\(version)\", \"status\": \"\(check.bodyContains ?? "ok")\"}"
        }
        return HTTPProbeResponse(status: check.status, headers: headers, body: body)
    }

    public func tcpConnect(host: String, port: Int, timeout: Duration) async throws {
        _ = try await wait(timeout: timeout, doing: "connect \(host):\(port)")
        let healthy = lock.withLock { serving != nil && unhealthyGeneration != generation }
        if !healthy {
            throw DeployError(.health, "connect to \(host):\(port): connection refused (simulated failure)")
        }
    }

    public func close() async {
        lock.withLock { closed = true }
    }

    /// Sleeps the operation's delay (counted in the simulation's figures); a closed host or a delay beyond the
    /// operation's timeout fails as SSH would.
    private func wait(timeout: Duration?, doing what: String) async throws -> Duration {
        let (delay, isClosed) = lock.withLock { (random.duration(in: fleet.spec.latency), closed) }
        if isClosed { throw SSHError(.disconnected, host: name, "the connection is closed; connect again") }
        fleet.stats.record(delay)
        if let timeout, delay > timeout {
            try await Task.sleep(for: timeout)
            throw SSHError(.commandTimeout, host: name, "`\(what)` did not finish within \(timeout)")
        }
        if delay > .zero { try await Task.sleep(for: delay) }
        return delay
    }

    /// True once, for the step this host fails at.
    func takeFailure(_ step: FailureStep) -> Bool {
        guard failure == step, !failureSpent else { return false }
        failureSpent = true
        fleet.stats.recordFailure()
        return true
    }
}
