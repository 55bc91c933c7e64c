import Foundation

/// A running `rollout-demo-service` started by a test: bare on a free `127.0.0.1` port, or on
/// listening sockets the test owns, passed systemd-style as fd 3...
///
/// Stopped (SIGKILL) when the object goes away if the test did not stop it, so a failing test
/// leaves no process behind.
public final class DemoServiceProcess: Sendable {
    /// How to start the service.
    public struct Options: Sendable {
        /// `--version-string`; nil lets the service pick its default (`dev` in the build directory).
        public var version: String?
        /// Sockets passed as fd 3...; empty means `--listen 127.0.0.1:0` (bare).
        public var listeners: [TestListener] = []
        public var listenPID: FixtureProcess.ListenPID = .child
        /// Put in the child's `NOTIFY_SOCKET`, usually a `NotifyReceiver`'s path.
        public var notifySocket: String?
        /// More arguments, e.g. `["--startup-delay-ms", "300"]` or `["--fail-at-start"]`.
        public var arguments: [String] = []
        /// More environment variables (the child starts from `PATH` and these only).
        public var environment: [String: String] = [:]
        /// The binary; nil means the package's built `rollout-demo-service`.
        public var executable: String?

        public init(
            version: String? = nil, listeners: [TestListener] = [], listenPID: FixtureProcess.ListenPID = .child,
            notifySocket: String? = nil, arguments: [String] = [], environment: [String: String] = [:],
            executable: String? = nil
        ) {
            self.version = version
            self.listeners = listeners
            self.listenPID = listenPID
            self.notifySocket = notifySocket
            self.arguments = arguments
            self.environment = environment
            self.executable = executable
        }
    }

    public let process: FixtureProcess
    /// Where the service can be reached: the first passed socket, or the bare listener (known
    /// once the service printed it; `start` waits for that).
    public let address: LocalAddress?

    public var pid: pid_t { process.pid }
    public var output: String { process.output }

    /// The TCP port the service serves on, when `address` is TCP.
    public var port: Int? {
        if case .loopback(_, let port) = address { return port }
        return nil
    }

    /// Starts the service. In bare mode, waits (up to `startTimeout`) until it printed its port.
    public static func start(_ options: Options = Options(), startTimeout: Duration = .seconds(10)) throws
        -> DemoServiceProcess
    {
        let executable = try options.executable ?? BuiltProducts.executable("rollout-demo-service")
        var arguments = options.arguments
        if let version = options.version { arguments += ["--version-string", version] }
        if options.listeners.isEmpty { arguments += ["--listen", "127.0.0.1:0"] }
        var environment = options.environment
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if let notifySocket = options.notifySocket { environment["NOTIFY_SOCKET"] = notifySocket }
        let process = try FixtureProcess(
            executable: executable, arguments: arguments, environment: environment,
            listeners: options.listeners, listenPID: options.listenPID)
        guard options.listeners.isEmpty else {
            return DemoServiceProcess(process: process, address: options.listeners[0].address)
        }
        if options.arguments.contains("--fail-at-start") { return DemoServiceProcess(process: process, address: nil) }
        let output = try process.waitForOutput(containing: "listening on 127.0.0.1:", timeout: startTimeout)
        guard let range = output.range(of: "listening on 127.0.0.1:"),
            let port = Int(output[range.upperBound...].prefix { $0.isNumber })
        else { throw TestSupportError("cannot read the port from the demo service's output:\n\(output)") }
        return DemoServiceProcess(process: process, address: .loopback(host: "127.0.0.1", port: port))
    }

    private init(process: FixtureProcess, address: LocalAddress?) {
        self.process = process
        self.address = address
    }

    /// Waits until the service logged that it is ready (accepting and `READY=1` sent).
    public func waitUntilReady(timeout: Duration = .seconds(10)) throws {
        _ = try process.waitForOutput(containing: "]: ready", timeout: timeout)
    }

    public func signal(_ signo: Int32) { process.signal(signo) }

    /// SIGTERM, wait for the drain (up to `timeout`), SIGKILL if needed; returns the exit status.
    @discardableResult
    public func stop(timeout: Duration = .seconds(10)) -> Int32 { process.stop(timeout: timeout) }

    @discardableResult
    public func waitForExit(timeout: Duration) throws -> Int32 { try process.waitForExit(timeout: timeout) }
}
