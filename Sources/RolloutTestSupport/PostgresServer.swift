import Foundation
import Synchronization

/// A real PostgreSQL server (Debian's `postgresql` package: `/usr/lib/postgresql/N/bin/initdb` and `postgres`) on
/// 127.0.0.1, in a throw-away data directory, for the journal's PostgreSQL backend.
///
/// `initdb` refuses to run as root, and tests run as root in CI: when root, both run as the `postgres` user that
/// the package creates (through `setpriv`, which execs in place, so the fixture's pid is the server's). Logins over
/// TCP need a password (SCRAM), as a team's server would; ``password`` is it. The server runs in the foreground as a
/// ``FixtureProcess``: killed when the fixture goes away; ``shared()`` is stopped when the test process exits.
/// ``restart()``, ``kill()`` and ``start()`` let a test take the server away under a running controller.
public final class PostgresServer: Sendable {
    public let directory: String
    public let port: Int
    public let user = "rollout"
    public let password: String
    private let binaries: String
    private let process = Mutex<FixtureProcess?>(nil)
    private let databases = Atomic<Int>(0)

    /// The server every test of the process shares (each with its own database, ``makeDatabase(prefix:)``),
    /// started on first use.
    public static func shared() throws -> PostgresServer {
        try sharedServer.withLock { server in
            if let server { return server }
            let started = try PostgresServer()
            server = started
            atexit { PostgresServer.stopShared() }
            return started
        }
    }

    private static let sharedServer = Mutex<PostgresServer?>(nil)

    private static func stopShared() {
        sharedServer.withLock { server in
            server?.stop()
            if let directory = server?.directory { try? FileManager.default.removeItem(atPath: directory) }
            server = nil
        }
    }

    /// Runs `initdb` in a new temporary directory and starts the server on a free port.
    ///
    /// - Throws: ``TestSupportError`` when PostgreSQL is not installed (`scripts/install-deps` installs it) or does
    ///   not start within `startTimeout` (with its log).
    public init(startTimeout: Duration = .seconds(30)) throws {
        binaries = try Self.binaries()
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "rollout-pg-\(UUID().uuidString.prefix(8))"
            ).path
        port = try LocalPorts.free()
        password = "pw-\(UUID().uuidString.prefix(12))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try password.write(toFile: directory + "/pwfile", atomically: true, encoding: .utf8)
        if geteuid() == 0 {
            guard let account = getpwnam("postgres") else {
                throw TestSupportError(
                    "running as root, but there is no `postgres` user to run PostgreSQL as; "
                        + "scripts/install-deps installs the postgresql package, which creates it")
            }
            guard chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) == 0,
                chown(directory + "/pwfile", account.pointee.pw_uid, account.pointee.pw_gid) == 0
            else { throw TestSupportError("cannot chown \(directory) to postgres: errno \(errno)") }
        }
        let initdb = try runCommand(
            "/bin/sh",
            [
                "-c", Self.asServerUser("exec \"$@\""), "sh", binaries + "/initdb", "-D", directory + "/data", "-U",
                user,
                "--pwfile=\(directory)/pwfile", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync",
            ],
            currentDirectory: directory, timeout: .seconds(120))
        guard initdb.status == 0 else {
            throw TestSupportError("initdb failed (\(initdb.status)):\n\(initdb.stdout)\(initdb.stderr)")
        }
        try start(timeout: startTimeout)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `postgres://rollout@127.0.0.1:PORT/DATABASE`: a `--state` for `database` (password not included).
    public func url(database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// The environment a client needs besides the URL: `PGPASSWORD`.
    public var clientEnvironment: [String: String] { ["PGPASSWORD": password] }

    /// The running server's pid.
    public var pid: Int32? { process.withLock { $0?.pid } }

    /// Everything the server logged.
    public var log: String { process.withLock { $0?.output ?? "" } }

    /// Creates an empty database with a fresh name (`PREFIX_N_PID`) and returns its name.
    public func makeDatabase(prefix: String = "journal") throws -> String {
        let name = "\(prefix)_\(databases.add(1, ordering: .relaxed).newValue)_\(getpid())"
        try sql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL through `psql` (over the Unix socket, as the server's superuser) and returns what it printed,
    /// unaligned and without headers.
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let result = try runCommand(
            binaries + "/psql",
            [
                "-h", directory, "-p", "\(port)", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t",
                "-c", statement,
            ],
            timeout: .seconds(60))
        guard result.status == 0 else {
            throw TestSupportError("psql -c \(statement) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }

    /// Starts the server on its port (again, after ``kill()``); returns once it accepts connections.
    public func start(timeout: Duration = .seconds(30)) throws {
        let command = Self.asServerUser("exec \"$@\"")
        let server = try FixtureProcess(
            executable: "/bin/sh",
            arguments: [
                "-c", "cd \(directory) && \(command)", "sh", binaries + "/postgres", "-D", directory + "/data",
                "-p", "\(port)", "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=\(directory)",
                "-c", "max_connections=400", "-c", "fsync=off", "-c", "full_page_writes=off",
                "-c", "shared_buffers=32MB",
            ],
            environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C"])
        process.withLock { $0 = server }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = server.status {
                throw TestSupportError("postgres exited with status \(status):\n\(server.output)")
            }
            if server.output.contains("ready to accept connections"), LocalPorts.accepts(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSupportError("postgres did not start within \(timeout):\n\(server.output)")
    }

    /// Kills the server at once (SIGKILL: no shutdown, as a crash or a lost machine), leaving its data.
    public func kill() {
        process.withLock { server in
            _ = server?.stop(signal: SIGKILL, timeout: .seconds(10))
            server = nil
        }
        // A killed postmaster leaves its backends to notice on their own; wait until the port is free again.
        let deadline = ContinuousClock.now + .seconds(10)
        while LocalPorts.accepts(port: port) && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
    }

    /// Stops the server (fast shutdown: SIGINT) and starts it again on the same port and data.
    public func restart(timeout: Duration = .seconds(30)) throws {
        stop()
        try start(timeout: timeout)
    }

    /// Stops the server (SIGINT, PostgreSQL's fast shutdown; SIGKILL after 10 s).
    public func stop() {
        process.withLock { server in
            _ = server?.stop(signal: SIGINT, timeout: .seconds(10))
            server = nil
        }
    }

    /// A shell prefix that runs the rest as the `postgres` user when we are root (initdb refuses root).
    private static func asServerUser(_ command: String) -> String {
        geteuid() == 0
            ? "exec setpriv --reuid=postgres --regid=postgres --init-groups sh -c '\(command)' sh \"$@\"" : command
    }

    /// The newest `/usr/lib/postgresql/N/bin` that has `postgres` and `initdb`.
    private static func binaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init)
        for version in versions.sorted(by: >) {
            let bin = "\(root)/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/postgres"),
                FileManager.default.isExecutableFile(atPath: bin + "/initdb")
            {
                return bin
            }
        }
        throw TestSupportError(
            "PostgreSQL is not installed (no \(root)/N/bin/postgres); scripts/install-deps installs Debian's postgresql"
        )
    }
}
