import Foundation

/// What a finished command printed and how it ended.
public struct CommandOutput: Sendable {
    public var stdout: String
    public var stderr: String
    /// The exit status, or 128 + signal number when the process was killed by a signal.
    public var status: Int32
}

/// Runs `executable` with `arguments` to completion and captures both streams.
///
/// Output goes to temporary files rather than pipes so that a chatty process can never block
/// on a full pipe while we wait for it. A process still running after `timeout` is killed and
/// reported as an error.
public func runCommand(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String]? = nil,
    currentDirectory: String? = nil,
    stdin: String? = nil,
    timeout: Duration = .seconds(120)
) throws -> CommandOutput {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("rollout-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let outURL = tmp.appendingPathComponent("out")
    let errURL = tmp.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()

    if !ChildExit.wait(process, until: ContinuousClock.now + timeout) {
        process.terminate()
        Thread.sleep(forTimeInterval: 0.5)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        _ = ChildExit.wait(process, until: ContinuousClock.now + .seconds(10))
        throw TestSupportError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
    }
    let exit = ChildExit.status(of: process)
    let status = exit.signaled ? 128 + exit.status : exit.status
    return CommandOutput(
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
        status: status
    )
}
