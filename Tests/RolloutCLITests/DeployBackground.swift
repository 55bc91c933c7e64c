import Foundation
import RolloutTestSupport

/// `rollout deploy --output json` running in the background, its JSON events read as they come, so a test can
/// act at a precise phase (kill the controller, start a competing deploy).
final class DeployBackground: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var events: [[String: Any]] = []
    private var stderrText = ""
    private let done = DispatchSemaphore(value: 0)

    /// Runs in `directory` (default: the fixture's project) with `environment` (default: the test's).
    init(
        _ fixture: DeployFixture, _ arguments: [String], directory: String? = nil,
        environment: [String: String]? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: try BuiltProducts.executable("rollout"))
        process.arguments = arguments + ["--output", "json"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? fixture.project)
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread.detachNewThread { [self] in
            var buffer = Data()
            while true {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer = Data(buffer[buffer.index(after: newline)...])
                    if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] {
                        lock.withLock { events.append(object) }
                    }
                }
            }
            done.signal()
        }
        Thread.detachNewThread { [self] in
            let data = err.fileHandleForReading.readDataToEndOfFile()
            lock.withLock { stderrText = String(decoding: data, as: UTF8.self) }
        }
    }

    var stderr: String { lock.withLock { stderrText } }
    var allEvents: [[String: Any]] { lock.withLock { events } }

    /// Waits until an event matches (true) or the timeout passes (false).
    func waitFor(timeout: Duration = .seconds(60), _ matches: ([String: Any]) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if allEvents.contains(where: matches) { return true }
            if !process.isRunning && done.wait(timeout: .now()) == .success {
                done.signal()
                return allEvents.contains(where: matches)
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Waits for `phase` to start on `host` (any host when nil).
    func waitForPhase(_ phase: String, host: String? = nil) -> Bool {
        waitFor {
            $0["event"] as? String == "phase_started" && $0["phase"] as? String == phase
                && (host == nil || $0["host"] as? String == host)
        }
    }

    func kill(_ signal: Int32 = SIGKILL) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Waits for the exit and returns the status (`Process.terminationStatus`: the signal number for a killed one).
    func wait(timeout: Duration = .seconds(120)) -> Int32 {
        if !ChildExit.wait(process, until: ContinuousClock.now + timeout) {
            kill(SIGKILL)
            _ = ChildExit.wait(process, until: ContinuousClock.now + .seconds(30))
        }
        return ChildExit.status(of: process).status
    }
}
