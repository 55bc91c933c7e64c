import AgentKit
import Testing

@Suite("Agent config")
struct AgentConfigTests {
    static let full = """
        service: web
        listeners:
          - name: http
            tcp: 0.0.0.0:8080
            backlog: 1024
          - name: admin
            unix: /run/web/admin.sock
            mode: "0660"
        command: ["/srv/web/current/bin/web", "--flag"]
        release_link: /srv/web/current
        environment: {RUST_LOG: info}
        working_directory: "{release}"
        readiness: {type: http, address: "127.0.0.1:9090", path: /ready, pid_header: X-Pid, timeout: 45s, interval: 100ms}
        stop: {signal: QUIT, drain_timeout: 1m}
        restart: {policy: on-failure, backoff_initial: 250ms, backoff_max: 10s}
        log: {path: /var/log/web.log, tail_lines: 10}
        control_socket: /run/web/agent.sock
        pid_file: /run/web/agent.pid
        """

    @Test("every documented key is read")
    func fullConfig() throws {
        let config = try AgentConfig.parse(Self.full)
        #expect(config.listeners.map(\.name) == ["http", "admin"])
        #expect(config.listeners[1].mode == "0660")
        #expect(config.readiness.type == .http)
        #expect(config.readiness.timeout.milliseconds == 45_000)
        #expect(config.readiness.pidHeader == "X-Pid")
        #expect(config.stop.drainTimeout.milliseconds == 60_000)
        #expect(config.restart.policy == .onFailure)
        #expect(config.log.tailLines == 10)
        #expect(config.notifyDirectory == "/run/web")
    }

    @Test("defaults: notify readiness 30 s, TERM, 30 s drain, always restart")
    func defaults() throws {
        let config = try AgentConfig.parse("service: s\ncommand: [/bin/true]\ncontrol_socket: /tmp/s.sock\n")
        #expect(config.readiness.type == .notify)
        #expect(config.readiness.timeout.milliseconds == 30_000)
        #expect(config.stop.signal == "TERM")
        #expect(config.restart.policy == .always)
    }

    @Test("backoff doubles up to its maximum")
    func backoff() throws {
        var restart = RestartConfig()
        restart.backoffInitial = ConfigDuration(milliseconds: 100)
        restart.backoffMax = ConfigDuration(milliseconds: 1000)
        #expect((1...6).map { restart.backoff(streak: $0) } == [100, 200, 400, 800, 1000, 1000])
    }

    @Test(
        "invalid configs name the key",
        arguments: [
            ("service: s\ncommand: [x]\ncontrol_socket: /c\ncomand: [y]\n", "unknown key 'comand'"),
            ("service: s\ncontrol_socket: /c\n", "command: required key is missing"),
            ("service: s\ncommand: [x]\ncontrol_socket: /c\nlisteners: [{name: a, tcp: nope}]\n", "listeners[0].tcp"),
            ("service: s\ncommand: [x]\ncontrol_socket: /c\nlisteners: [{name: a}]\n", "exactly one of tcp"),
            (
                "service: s\ncommand: [x]\ncontrol_socket: /c\nlisteners: [{name: a, tcp: '127.0.0.1:1'}, {name: a, tcp: '127.0.0.1:2'}]\n",
                "used twice"
            ),
            ("service: s\ncommand: [x]\ncontrol_socket: /c\nstop: {signal: BOGUS}\n", "stop.signal"),
            ("service: s\ncommand: [x]\ncontrol_socket: /c\nreadiness: {timeout: soon}\n", "not a duration"),
            ("service: s\ncommand: [x]\ncontrol_socket: /c\nreadiness: {type: http}\n", "readiness.address"),
        ])
    func invalid(yaml: String, expected: String) throws {
        let error = try #require(throws: AgentError.self) { try AgentConfig.parse(yaml, file: "agent.yml") }
        #expect(error.code == "config.invalid")
        #expect(error.message.contains("agent.yml"))
        #expect(error.message.contains(expected), "\(error.message)")
    }
}

@Suite struct AgentReloadConfigTests {
    static let base = """
        service: web
        command: [/bin/true]
        control_socket: /tmp/rollout-reload-config.sock

        """

    @Test func reloadDefaultsToHUPWithinThirtySeconds() throws {
        let config = try AgentConfig.parse(Self.base)
        #expect(config.reload.signal == "HUP")
        #expect(config.reload.timeout == .seconds(30))
        let custom = try AgentConfig.parse(Self.base + "reload: {signal: SIGUSR1, timeout: 5s}\n")
        #expect(custom.reload.signal == "SIGUSR1")
        #expect(custom.reload.timeout == .seconds(5))
    }

    @Test func aBadReloadSectionNamesTheKey() throws {
        for (yaml, key) in [
            ("reload: {signal: RELOAD}\n", "reload.signal"), ("reload: {timeout: 0s}\n", "reload.timeout"),
            ("reload: {signall: HUP}\n", "signall"),
        ] {
            let error = #expect(throws: AgentError.self) { try AgentConfig.parse(Self.base + yaml, file: "a.yml") }
            #expect(error?.message.contains(key) == true, "\(yaml): \(error?.message ?? "")")
        }
    }
}
