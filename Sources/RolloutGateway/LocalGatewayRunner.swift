import Foundation

/// Runs gateway commands on the controller itself with `/bin/sh -c` (for `gateway.on: controller`).
///
/// Input and output are temporary files rather than pipes, so a chatty command never blocks on a full pipe and a
/// background child that keeps its output open cannot hold the result back. A command still running at its
/// timeout is sent SIGTERM, then SIGKILL one second later, and reported as an error naming it. The engine can use
/// this runner for every `on: controller` gateway.
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
        // Process and its waits block; keep them off the cooperative thread pool.
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
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-gw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: files) }
        let outURL = files.appendingPathComponent("out"), errURL = files.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = ["-c", command]
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let output = try FileHandle(forWritingTo: outURL), errors = try FileHandle(forWritingTo: errURL)
        defer {
            try? output.close()
            try? errors.close()
        }
        // Standard input from a file too: a command that exits without reading it cannot raise SIGPIPE here.
        let inURL = files.appendingPathComponent("in")
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin ?? []))
        let input = try FileHandle(forReadingFrom: inURL)
        defer { try? input.close() }
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw GatewayError(.commandFailed, "cannot run `\(shell) -c \(command)` on the controller: \(error)")
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 1) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
            throw GatewayError(
                .commandFailed, "`\(command)` did not finish within \(timeout) on the controller and was killed")
        }
        let status =
            process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return GatewayCommandResult(
            status: status, stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
