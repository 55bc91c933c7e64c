import Foundation
import Synchronization

/// Runs gateway commands on the controller itself with `/bin/sh -c` (for `gateway.on: controller`).
///
/// Both output streams are read while the command runs, so a chatty command never blocks on a full pipe.
/// A command still running at its timeout is sent SIGTERM, then SIGKILL one second later, and reported as an
/// error naming it. The engine can use this runner for every `on: controller` gateway.
public struct LocalGatewayRunner: GatewayCommandRunner {
    /// The shell that runs each command.
    public var shell: String
    /// Variables added to the command's environment (on top of the controller's).
    public var environment: [String: String]

    public init(shell: String = "/bin/sh", environment: [String: String] = [:]) {
        self.shell = shell
        self.environment = environment
    }

    public func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult {
        let shell = shell, environment = environment
        // Process and its pipes block; keep them off the cooperative thread pool.
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        try Self.runBlocking(
                            command, shell: shell, environment: environment, stdin: stdin, timeout: timeout)
                    })
            }
        }
    }

    private static func runBlocking(
        _ command: String, shell: String, environment: [String: String], stdin: [UInt8]?, timeout: Duration
    ) throws -> GatewayCommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = ["-c", command]
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let output = PipeCollector(), errors = PipeCollector(), input = Pipe()
        process.standardOutput = output.pipe
        process.standardError = errors.pipe
        process.standardInput = input
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw GatewayError(.commandFailed, "cannot run `\(shell) -c \(command)` on the controller: \(error)")
        }
        // A command that does not read its input must not fail the write: SIGPIPE is ignored by Foundation's
        // Process users in general, and a short write is harmless here.
        if let stdin, !stdin.isEmpty { try? input.fileHandleForWriting.write(contentsOf: Data(stdin)) }
        try? input.fileHandleForWriting.close()

        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 1) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            output.finish(grace: .milliseconds(200))
            errors.finish(grace: .milliseconds(200))
            throw GatewayError(
                .commandFailed, "`\(command)` did not finish within \(timeout) on the controller and was killed")
        }
        // Children of the shell may hold the pipes open a little longer; do not wait for them forever.
        let stdout = output.finish(grace: .seconds(2)), stderr = errors.finish(grace: .seconds(2))
        let status =
            process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return GatewayCommandResult(status: status, stdout: stdout, stderr: stderr)
    }
}

/// Reads one pipe to its end on a background handler and hands back what it read.
private final class PipeCollector: Sendable {
    let pipe = Pipe()
    private let state = Mutex<(data: Data, done: Bool)>((Data(), false))
    private let ended = DispatchSemaphore(value: 0)

    init() {
        // The handler holds `self` until the end of the stream (or `finish`) clears it.
        pipe.fileHandleForReading.readabilityHandler = { [self] handle in
            let chunk = handle.availableData
            let finished = self.state.withLock { state -> Bool in
                if chunk.isEmpty {
                    guard !state.done else { return false }
                    state.done = true
                    return true
                }
                state.data.append(chunk)
                return false
            }
            if finished {
                handle.readabilityHandler = nil
                self.ended.signal()
            }
        }
    }

    /// Waits up to `grace` for the end of the stream and returns the text read so far.
    @discardableResult
    func finish(grace: Duration) -> String {
        let seconds = Double(grace.components.seconds) + Double(grace.components.attoseconds) / 1e18
        _ = ended.wait(timeout: .now() + seconds)
        pipe.fileHandleForReading.readabilityHandler = nil
        let data = state.withLock { $0.data }
        return String(decoding: data, as: UTF8.self)
    }
}
