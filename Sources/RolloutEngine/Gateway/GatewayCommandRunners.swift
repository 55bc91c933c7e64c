import Foundation
import RolloutGateway
import SSHClient

/// Runs gateway commands on the gateway host over its SSH connection of the run.
public struct SSHGatewayCommandRunner: GatewayCommandRunner {
    public let connection: SSHConnection

    public init(connection: SSHConnection) {
        self.connection = connection
    }

    public func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult {
        let result = try await connection.execute(command, stdin: stdin, timeout: timeout)
        return GatewayCommandResult(
            status: result.exitStatus ?? (result.exitSignal == nil ? -1 : 128), stdout: result.stdoutText,
            stderr: result.stderrText)
    }
}

/// Runs gateway commands (and controller hooks) on the controller with `/bin/sh -c`.
public struct LocalCommandRunner: GatewayCommandRunner {
    public init() {}

    public func run(_ command: String, stdin: [UInt8]?, timeout: Duration) async throws -> GatewayCommandResult {
        try await HTTPProbe.onThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            let output = Pipe(), errors = Pipe(), input = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = input
            try process.run()
            if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
            try? input.fileHandleForWriting.close()
            // Read both pipes while the command runs, so a chatty command never blocks on a full pipe.
            let collected = LockedData()
            let group = DispatchGroup()
            for (index, pipe) in [output, errors].enumerated() {
                group.enter()
                DispatchQueue.global().async {
                    collected.set(index, pipe.fileHandleForReading.readDataToEndOfFile())
                    group.leave()
                }
            }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            if group.wait(timeout: .now() + seconds) == .timedOut {
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
                throw DeployError(.command, "`\(command)` on the controller timed out after \(timeout)")
            }
            process.waitUntilExit()
            return GatewayCommandResult(
                status: process.terminationStatus, stdout: String(decoding: collected.get(0), as: UTF8.self),
                stderr: String(decoding: collected.get(1), as: UTF8.self))
        }
    }
}

/// Two buffers filled from two threads.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Data] = [Data(), Data()]

    func set(_ index: Int, _ data: Data) { lock.withLock { values[index] = data } }
    func get(_ index: Int) -> Data { lock.withLock { values[index] } }
}
