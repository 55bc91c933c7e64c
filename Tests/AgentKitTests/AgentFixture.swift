import AgentKit
import Foundation
import RolloutTestSupport
import Testing

/// A real `rollout-agent` on a throw-away root (`releases/<v>/`, `current`), driven through
/// `rollout-agent ctl`. `shutdown()` stops it and proves nothing is left behind; `deinit` kills
/// whatever is still running when a test fails early.
final class AgentFixture {
    let root: String
    let agentBinary: String
    let port: Int
    var agent: FixtureProcess?
    var extraYAML = ""
    var environment: [String: String] = [:]
    var readinessYAML = "  type: notify\n  timeout: 30s"
    var command: [String]
    var listenersYAML: String

    var configPath: String { "\(root)/agent.yml" }
    var controlSocket: String { "\(root)/run/control.sock" }
    var logPath: String { "\(root)/service.log" }
    var pidFile: String { "\(root)/run/agent.pid" }

    /// A root whose `current` will point at releases built by `addRelease`.
    init(command: [String]? = nil) throws {
        root = "/tmp/rollout-agent-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: "\(root)/releases", withIntermediateDirectories: true)
        agentBinary = try BuiltProducts.executable("rollout-agent")
        port = try Self.freePort()
        self.command = command ?? ["\(root)/current/rollout-demo-service"]
        listenersYAML = "  - name: http\n    tcp: 127.0.0.1:\(port)\n"
    }

    /// A fixture with demo-service releases `versions`, the first one current; not started yet.
    static func withReleases(_ versions: [String]) throws -> AgentFixture {
        let fixture = try AgentFixture()
        for version in versions { try fixture.addRelease(version) }
        try fixture.activate(versions[0])
        return fixture
    }

    /// The same, started and serving.
    static func running(_ versions: [String] = ["v1"]) throws -> AgentFixture {
        let fixture = try withReleases(versions)
        try fixture.start()
        return fixture
    }

    deinit {
        if let agent, agent.status == nil {
            let strays = Self.descendants(of: agent.pid)
            agent.signal(SIGKILL)
            strays.forEach { kill($0, SIGKILL) }
            _ = try? agent.waitForExit(timeout: .seconds(10))
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `releases/<version>/rollout-demo-service`: a hard link of the built demo service (so its
    /// `/proc/self/exe` names the release), or a script with `script` as its body.
    func addRelease(_ version: String, script: String? = nil) throws {
        let directory = "\(root)/releases/\(version)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let target = "\(directory)/rollout-demo-service"
        if let script {
            try "#!/bin/sh\n\(script)\n".write(toFile: target, atomically: true, encoding: .utf8)
            chmod(target, 0o755)
        } else {
            let demo = try BuiltProducts.executable("rollout-demo-service")
            if link(demo, target) != 0 { try FileManager.default.copyItem(atPath: demo, toPath: target) }
        }
    }

    /// Points `current` at `releases/<version>` with an atomic rename, as a deploy does.
    func activate(_ version: String) throws {
        let temporary = "\(root)/current.tmp"
        unlink(temporary)
        try FileManager.default.createSymbolicLink(atPath: temporary, withDestinationPath: "releases/\(version)")
        guard rename(temporary, "\(root)/current") == 0 else { throw TestSupportError("cannot switch current") }
    }

    func writeConfig() throws {
        let env = environment.sorted { $0.key < $1.key }.map { "  \($0.key): \"\($0.value)\"" }.joined(separator: "\n")
        let yaml = """
            service: testsvc
            listeners:
            \(listenersYAML)
            command: [\(command.map { "\"\($0)\"" }.joined(separator: ", "))]
            release_link: \(root)/current
            environment:
            \(env.isEmpty ? "  ROLLOUT_TEST: \"1\"" : env)
            readiness:
            \(readinessYAML)
            stop:
              signal: TERM
              drain_timeout: 20s
            restart:
              policy: always
              backoff_initial: 200ms
              backoff_max: 2s
            log:
              path: \(logPath)
            control_socket: \(controlSocket)
            pid_file: \(pidFile)
            \(extraYAML)
            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts the agent and waits until a generation serves.
    /// `activated` are passed as systemd socket activation would (fd 3..., LISTEN_PID = the agent).
    /// `strayFDs` are placed at fd 3... without close-on-exec and with a LISTEN_PID that is not the
    /// agent's, as a careless parent would leave them: the agent must not pass them on.
    func start(
        activated: [TestListener] = [], names: [String] = [], agentEnvironment: [String: String] = [:],
        strayFDs: [Int32] = []
    ) throws {
        try writeConfig()
        var env = agentEnvironment
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let arguments = ["run", "--config", configPath]
        let agent =
            strayFDs.isEmpty
            ? try FixtureProcess(
                executable: agentBinary, arguments: arguments, environment: env, listeners: activated,
                listenerNames: names.isEmpty ? nil : names)
            : try FixtureProcess(
                executable: agentBinary, arguments: arguments, environment: env, inheritedFDs: strayFDs,
                listenPID: .other(1))
        self.agent = agent
        let serving = try DemoTest.eventually(timeout: .seconds(60)) {
            guard agent.status == nil else { throw TestSupportError("agent exited: \(agent.output)") }
            return (try? status())?.state == "running"
        }
        guard serving else { throw TestSupportError("agent never reached running: \(agent.output)") }
    }

    /// Runs `rollout-agent ctl` and returns its exit status and decoded answer.
    @discardableResult
    func ctl(_ arguments: String...) throws -> (status: Int32, response: ControlResponse) {
        let output = try runCommand(
            agentBinary, ["ctl", "--socket", controlSocket] + arguments, timeout: .seconds(120))
        guard let response = try? ControlResponse.decode(Data(output.stdout.utf8)) else {
            throw TestSupportError(
                "ctl \(arguments) printed no JSON (status \(output.status)): \(output.stdout) \(output.stderr)")
        }
        return (output.status, response)
    }

    func status() throws -> ControlResponse { try ctl("status").response }

    /// The current generation's pid from `status`.
    func servingPID() throws -> Int32? {
        try status().generations?.first { $0.state == "ready" }?.pid
    }

    /// A GET through the agent's listener.
    func get(_ path: String = "/", timeout: Duration = .seconds(30)) throws -> HTTPTestClient.Response {
        try HTTPTestClient.get(.loopback(host: "127.0.0.1", port: port), path, timeout: timeout)
    }

    /// Stops the agent with `signal` and checks that it exits 0 leaving no process, zombie, socket
    /// or pid file behind.
    func shutdown(signal: Int32 = SIGTERM) throws {
        guard let agent else { return }
        let before = Self.descendants(of: agent.pid)
        agent.signal(signal)
        let status = try agent.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "agent exit status; output:\n\(agent.output)")
        let survivors = before.filter { kill($0, 0) == 0 && !Self.isZombie($0) }
        #expect(survivors.isEmpty, "processes left behind: \(survivors)")
        #expect(!FileManager.default.fileExists(atPath: controlSocket))
        #expect(!FileManager.default.fileExists(atPath: pidFile))
    }

    var agentOutput: String { agent?.output ?? "" }

    /// Starts a load (8 connections) on the service and, once it is served, `kill -9`s the agent. Returns the load, the
    /// serving generation's pid and the dead agent's processes (the service and its log holder), which the caller
    /// kills at the end whatever happens.
    func killAgentUnderLoad() throws -> (load: LoadGenerator.Handle, servicePID: Int32, orphans: [pid_t]) {
        let agent = try #require(agent)
        let servicePID = try #require(try servingPID())
        let orphans = Self.descendants(of: agent.pid)
        let load = try LoadGenerator.start(
            LoadGenerator.Configuration(port: port, concurrency: 8, duration: .seconds(120), requestTimeout: .seconds(30)))
        #expect(load.waitForSucceeded(100, timeout: .seconds(30)))
        agent.signal(SIGKILL)
        _ = try agent.waitForExit(timeout: .seconds(10))
        return (load, servicePID, orphans)
    }

    /// All processes below `pid` (by walking /proc parent links).
    static func descendants(of pid: pid_t) -> [pid_t] {
        var parents: [pid_t: pid_t] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = pid_t(entry), let ppid = procField(child, 1) else { continue }
            parents[child] = pid_t(ppid)
        }
        var result: [pid_t] = []
        var frontier = [pid]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            result += children
            frontier += children
        }
        return result
    }

    /// Field `index` after the command name in /proc/PID/stat (0 = state, 1 = ppid).
    static func procField(_ pid: pid_t, _ index: Int) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        return fields.count > index ? String(fields[index]) : nil
    }

    static func isZombie(_ pid: pid_t) -> Bool { procField(pid, 0) == "Z" }

    /// Zombie children of `pid` right now.
    static func zombies(of pid: pid_t) -> [pid_t] { descendants(of: pid).filter(isZombie) }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ptr -> Int32 in
                guard bind(fd, ptr, length) == 0 else { return -1 }
                return getsockname(fd, ptr, &length)
            }
        }
        guard rc == 0 else { throw TestSupportError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
