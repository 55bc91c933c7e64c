import AgentKit
import Foundation
import RolloutDev
import Testing

@Suite("rollout dev options and the agent config they make")
struct DevOptionsTests {
    @Test("readiness forms; bad ones are refused with the accepted forms")
    func readiness() throws {
        #expect(try DevOptions.parseReadiness("notify") == .notify)
        #expect(try DevOptions.parseReadiness("http") == .http(path: "/health", pidHeader: nil))
        #expect(
            try DevOptions.parseReadiness("http:/ready,pid-header=X-Pid") == .http(path: "/ready", pidHeader: "X-Pid"))
        #expect(try DevOptions.parseReadiness("delay:300ms") == .delay(milliseconds: 300))
        #expect(throws: DevError.self) { try DevOptions.parseReadiness("http:ready") }
        #expect(throws: DevError.self) { try DevOptions.parseReadiness("sometimes") }
    }

    @Test("the generated agent config loads, with the listeners, the command, the environment and the readiness")
    func agentConfig() throws {
        var options = DevOptions(
            build: "make", run: "./app --port \"$PORT\"", listen: ["127.0.0.1:8080", "admin=unix:/tmp/app.sock"],
            readiness: .http(path: "/ready", pidHeader: "X-Pid"), workingDirectory: "/src/app")
        let text = try options.agentConfig(environment: ["DATABASE_URL": "postgres://x\"y", "NOTIFY_SOCKET": "/run/x"])
        let config = try AgentConfig.parse(text)
        #expect(config.listeners.map(\.name) == ["http", "admin"])
        #expect(config.listeners[1].unix == "/tmp/app.sock")
        #expect(config.command == ["/bin/sh", "-c", "exec ./app --port \"$PORT\""])
        #expect(config.workingDirectory == "/src/app")
        #expect(config.environment == ["DATABASE_URL": "postgres://x\"y"], "NOTIFY_SOCKET is the agent's own")
        #expect(config.readiness.type == .http && config.readiness.pidHeader == "X-Pid")
        #expect(config.restart.policy == .never)
        #expect(config.controlSocket == "/src/app/.rollout/dev/agent.sock")

        options.listen = ["localhost"]
        #expect(throws: DevError.self) { try options.agentConfig(environment: [:]) }
        options.listen = ["a=127.0.0.1:1", "a=127.0.0.1:2"]
        #expect(throws: DevError.self) { try options.agentConfig(environment: [:]) }
    }
}
