import Foundation
import Synchronization

/// A real HAProxy (Debian's `haproxy`) on 127.0.0.1, in front of servers the test runs.
///
/// It runs in the foreground (`-db`) from a generated configuration: one HTTP frontend on a free port, one
/// backend of round-robin servers, and an admin socket (`stats socket DIR/admin.sock mode 600 level admin`, and
/// the same on a TCP port).
/// `reload()` starts a new HAProxy with the same configuration and `-sf` (a reload as an operator or a config
/// manager does it: runtime state set through the admin socket is lost). The process is killed when `stop()` is
/// called or the fixture goes away, so a failing test leaves no HAProxy behind.
public final class HAProxyFixture: Sendable {
    public struct Server: Sendable {
        public var name: String
        public var port: Int
        public init(name: String, port: Int) {
            self.name = name
            self.port = port
        }
    }

    public let directory: String
    public let backend: String
    public let servers: [Server]
    /// The HTTP frontend clients go through.
    public let frontend: LocalAddress
    /// The admin socket's path.
    public var socketPath: String { directory + "/admin.sock" }
    /// The same admin API on TCP, `127.0.0.1:PORT` (HAProxy's `stats socket ipv4@...`).
    public let adminAddress: String
    public var configPath: String { directory + "/haproxy.cfg" }
    private let process: Mutex<FixtureProcess>
    private let executable: String

    /// Writes the configuration and starts HAProxy; returns once the frontend accepts and the socket answers.
    public init(backend: String = "web", servers: [Server], startTimeout: Duration = .seconds(10)) throws {
        executable = try BuiltProducts.tool("haproxy")
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "haproxy-\(UUID().uuidString.prefix(8))"
            ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.backend = backend
        self.servers = servers
        let port = try LocalPorts.free()
        frontend = .loopback(host: "127.0.0.1", port: port)
        adminAddress = "127.0.0.1:\(try LocalPorts.free())"
        try Self.configuration(
            directory: directory, port: port, admin: adminAddress, backend: backend, servers: servers
        )
        .write(toFile: directory + "/haproxy.cfg", atomically: true, encoding: .utf8)
        let first = try Self.spawn(executable, config: directory + "/haproxy.cfg", replacing: nil)
        process = Mutex(first)
        try waitUntilServing(first, timeout: startTimeout)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The running HAProxy's pid.
    public var pid: pid_t { process.withLock { $0.pid } }

    /// Everything HAProxy logged (its warnings and alerts).
    public var output: String { process.withLock { $0.output } }

    /// Starts a new HAProxy with the same configuration that takes over from the current one (`-sf`), then waits
    /// until the old one has exited and the new one serves. Runtime changes (drained servers) are gone afterwards.
    public func reload(timeout: Duration = .seconds(10)) throws {
        let old = process.withLock { $0 }
        let new = try Self.spawn(executable, config: configPath, replacing: old.pid)
        process.withLock { $0 = new }
        do {
            _ = try old.waitForExit(timeout: timeout)
        } catch {
            throw TestSupportError("the old HAProxy (pid \(old.pid)) did not exit after the reload:\n\(old.output)")
        }
        try waitUntilServing(new, timeout: timeout)
    }

    /// Stops HAProxy (SIGTERM, then SIGKILL).
    public func stop() {
        _ = process.withLock { $0 }.stop(timeout: .seconds(5))
    }

    /// One command on the admin socket, through `socat`-free plain sockets: the answer text.
    public func adminCommand(_ command: String) throws -> String {
        let output = try runCommand(
            "/usr/bin/env",
            ["python3", "-c", Self.pythonClient, socketPath], stdin: command + "\n", timeout: .seconds(10))
        guard output.status == 0 else { throw TestSupportError("admin socket: \(output.stderr)") }
        return output.stdout
    }

    private static let pythonClient = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())
        while True:
            b = s.recv(65536)
            if not b: break
            sys.stdout.buffer.write(b)
        """

    private static func spawn(_ executable: String, config: String, replacing old: pid_t?) throws -> FixtureProcess {
        var arguments = ["-f", config, "-db"]
        if let old { arguments += ["-sf", "\(old)"] }
        return try FixtureProcess(
            executable: executable, arguments: arguments, environment: ["PATH": "/usr/sbin:/usr/bin:/bin"])
    }

    private func waitUntilServing(_ haproxy: FixtureProcess, timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = haproxy.status {
                throw TestSupportError("haproxy exited with status \(status):\n\(haproxy.output)")
            }
            if let info = try? adminCommand("show info"), info.contains("Pid: \(haproxy.pid)"),
                case .loopback(_, let port) = frontend, LocalPorts.accepts(port: port)
            {
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSupportError("haproxy did not serve within \(timeout):\n\(haproxy.output)")
    }

    static func configuration(directory: String, port: Int, admin: String, backend: String, servers: [Server])
        -> String
    {
        """
        global
            stats socket \(directory)/admin.sock mode 600 level admin
            stats socket ipv4@\(admin) level admin
            stats timeout 10s

        defaults
            mode http
            timeout connect 2s
            timeout client 30s
            timeout server 30s

        frontend fe
            bind 127.0.0.1:\(port)
            default_backend \(backend)

        backend \(backend)
            balance roundrobin
        \(servers.map { "    server \($0.name) 127.0.0.1:\($0.port)" }.joined(separator: "\n"))

        """
    }
}
