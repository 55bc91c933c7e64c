import Foundation
import RolloutGateway
import Testing

/// `LocalGatewayRunner`, which runs `on: controller` gateway commands and controller-side hooks.
@Suite struct LocalGatewayRunnerTests {
    @Test("a command past its timeout is killed with everything it started (its whole process group)")
    func timeoutKillsTheProcessGroup() async throws {
        let directory = try temporaryDirectory("local-runner")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A background child that would leave a mark if it lived its 20 s.
        let command = "{ sleep 20; touch \(directory)/survived; } & echo $! > \(directory)/child.pid; wait"
        await #expect(throws: GatewayError.self) {
            try await LocalGatewayRunner().run(command, stdin: nil, timeout: .milliseconds(500))
        }
        let text = try read(directory + "/child.pid").trimmingCharacters(in: .whitespacesAndNewlines)
        let child = try #require(Int32(text), "the shell's child pid: \(text)")
        defer { kill(child, SIGKILL) }
        // Gone, or a zombie waiting for its new parent to reap it: no longer running either way.
        func running() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8) else { return false }
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            return state != "Z" && state != "X"
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while running() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!running(), "the child the timed-out command started still runs")
        #expect(
            !FileManager.default.fileExists(atPath: directory + "/survived"),
            "the runner returned only once the command's child had finished on its own")
    }

    @Test("exit status, standard output and error, and standard input come back as before")
    func statusAndStreams() async throws {
        let result = try await LocalGatewayRunner().run(
            "read line; echo \"got $line\"; echo oops >&2; exit 3", stdin: Array("hello\n".utf8), timeout: .seconds(10))
        #expect(result.status == 3)
        #expect(result.stdout == "got hello\n")
        #expect(result.stderr == "oops\n")
        let killed = try await LocalGatewayRunner().run("kill -9 $$", stdin: nil, timeout: .seconds(10))
        #expect(killed.status == 128 + 9)
    }
}
