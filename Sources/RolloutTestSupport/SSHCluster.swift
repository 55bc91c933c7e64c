import Foundation

/// A local fleet of real OpenSSH servers on 127.0.0.1, for tests, the demo and benchmarks.
///
/// Every host is its own `sshd` process on a free port with its own ed25519 host key, its own log and its own
/// root directory (`<dir>/hosts/<name>/root`) that stands for that host's filesystem. The cluster also holds a
/// throw-away user key (plus a passphrase-protected one), an `authorized_keys` every host trusts, and a
/// `known_hosts` (plain and hashed) listing every host key as `[127.0.0.1]:port`. The login user is the user
/// running the fixture.
///
/// A cluster started by ``start(hosts:bastion:)`` or ``init(directory:hosts:bastion:daemonize:)`` with
/// `daemonize: false` owns its `sshd` processes: ``stopAll()`` (also run from `deinit` and at process exit)
/// kills each of them together with its session children. With `daemonize: true` the servers outlive this
/// process (as `rollout-lab up` needs); ``attach(directory:)`` finds them again from `<dir>/cluster.json`.
public final class SSHCluster: @unchecked Sendable {
    /// The directory holding keys, configs, logs and host roots.
    public let directory: String
    /// The user every host accepts with ``userKeyPath``.
    public let user: String
    /// The unencrypted ed25519 private key every host accepts.
    public let userKeyPath: String
    /// An ed25519 private key encrypted with ``encryptedUserKeyPassphrase``; every host accepts it too.
    public let encryptedUserKeyPath: String
    /// The passphrase of ``encryptedUserKeyPath``.
    public let encryptedUserKeyPassphrase: String
    /// `known_hosts` with one plain `[127.0.0.1]:port ssh-ed25519 ...` line per host (bastion included).
    public let knownHostsPath: String
    /// The same entries hashed by `ssh-keygen -H` (`|1|salt|hash ssh-ed25519 ...`).
    public let hashedKnownHostsPath: String
    /// First on the `PATH` of every SSH session on the hosts (empty unless a test puts a tool there).
    public let binDirectory: String
    /// The hosts `h1` ... `hN`.
    public var hosts: [SSHClusterHost] { lock.withLock { state.hosts } }
    /// The bastion (jump host), when the cluster was started with one.
    public var bastion: SSHClusterHost? { lock.withLock { state.bastion } }

    private let lock = NSLock()
    private var state: SSHClusterState
    private let ownsProcesses: Bool
    private let removesDirectory: Bool

    /// Starts `hosts` servers (plus a bastion) in a fresh temporary directory that ``stopAll()`` removes.
    ///
    /// Clusters left behind by a test process that crashed (its pid, recorded in the directory, is gone) are
    /// stopped and removed first, so that a crash never leaves servers running for long.
    public static func start(hosts: Int, bastion: Bool = false) throws -> SSHCluster {
        reapOrphans()
        let dir = temporaryRoot.appendingPathComponent("\(temporaryPrefix)\(UUID().uuidString.prefix(8))")
        return try SSHCluster(directory: dir.path, hosts: hosts, bastion: bastion, removeDirectoryOnStop: true)
    }

    private static let temporaryRoot = FileManager.default.temporaryDirectory
    private static let temporaryPrefix = "rollout-ssh-"

    /// Kills the sshd processes of temporary clusters whose owning process died, and removes their directories.
    static func reapOrphans() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporaryRoot.path)) ?? []
        for entry in entries where entry.hasPrefix(temporaryPrefix) {
            let dir = temporaryRoot.appendingPathComponent(entry).path
            guard let text = try? String(contentsOfFile: dir + "/owner.pid", encoding: .utf8),
                let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), !ProcessTree.isAlive(owner)
            else { continue }
            for pid in ProcessTree.processes(withCommandLineContaining: dir + "/hosts/") { ProcessTree.killTree(pid) }
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    /// Starts `hosts` servers (plus a bastion) in `directory`, which is created and kept.
    ///
    /// Returns once every server answers with its SSH banner. With `daemonize` the servers detach from this
    /// process and keep running after it exits; stop them with ``stopAll()`` on an attached cluster.
    public convenience init(directory: String, hosts: Int, bastion: Bool = false, daemonize: Bool = false) throws {
        try self.init(
            directory: directory, hosts: hosts, bastion: bastion, daemonize: daemonize,
            removeDirectoryOnStop: false)
    }

    private init(
        directory: String, hosts count: Int, bastion: Bool, daemonize: Bool = false,
        removeDirectoryOnStop: Bool
    ) throws {
        guard count >= 1 else { throw TestSupportError("an SSH cluster needs at least one host, got \(count)") }
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let files = try SSHClusterFiles.create(in: dir)
        self.directory = dir
        user = files.user
        userKeyPath = files.userKey
        encryptedUserKeyPath = files.encryptedUserKey
        encryptedUserKeyPassphrase = SSHClusterFiles.passphrase
        knownHostsPath = files.knownHosts
        hashedKnownHostsPath = files.hashedKnownHosts
        binDirectory = files.binDirectory
        ownsProcesses = !daemonize
        removesDirectory = removeDirectoryOnStop
        state = SSHClusterState(directory: dir, user: files.user, hosts: [], bastion: nil)
        if removeDirectoryOnStop {
            try String(getpid()).write(toFile: dir + "/owner.pid", atomically: true, encoding: .utf8)
        }
        SSHClusterRegistry.shared.add(self)
        do {
            let sshd = try BuiltProducts.tool("sshd")
            let names = (1...count).map { "h\($0)" } + (bastion ? ["bastion"] : [])
            for name in names {
                let host = try SSHClusterFiles.startHost(name: name, files: files, sshd: sshd, daemonize: daemonize)
                lock.withLock {
                    if name == "bastion" { state.bastion = host } else { state.hosts.append(host) }
                }
            }
            try files.writeKnownHosts(hosts: lock.withLock { state.allHosts })
            try saveState()
        } catch {
            stopAll()
            throw error
        }
    }

    /// Finds the cluster a `daemonize`d ``init(directory:hosts:bastion:daemonize:)`` left in `directory`.
    public init(attachingTo directory: String) throws {
        let dir = URL(fileURLWithPath: directory).standardizedFileURL.path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: SSHClusterState.path(in: dir)))
        } catch {
            throw TestSupportError("no SSH cluster in \(dir) (missing \(SSHClusterState.path(in: dir)))")
        }
        let state = try JSONDecoder().decode(SSHClusterState.self, from: data)
        self.directory = dir
        self.state = state
        user = state.user
        let files = SSHClusterFiles(directory: dir, user: state.user)
        userKeyPath = files.userKey
        encryptedUserKeyPath = files.encryptedUserKey
        encryptedUserKeyPassphrase = SSHClusterFiles.passphrase
        knownHostsPath = files.knownHosts
        hashedKnownHostsPath = files.hashedKnownHosts
        binDirectory = files.binDirectory
        ownsProcesses = false
        removesDirectory = false
    }

    deinit {
        if ownsProcesses { stopAll() }
        SSHClusterRegistry.shared.remove(self)
    }

    /// The host named `name` (`h1`...`hN` or `bastion`).
    public func host(_ name: String) throws -> SSHClusterHost {
        guard let host = lock.withLock({ state.allHosts.first { $0.name == name } }) else {
            throw TestSupportError("no host '\(name)' in the cluster at \(directory)")
        }
        return host
    }

    /// Freezes a host's sshd with SIGSTOP: the kernel still completes TCP handshakes, but nothing answers.
    public func pause(_ name: String) throws { try signal(name, SIGSTOP) }

    /// Resumes a host frozen by ``pause(_:)``.
    public func resume(_ name: String) throws { try signal(name, SIGCONT) }

    /// Whether the host's sshd process is alive (a paused one counts as alive).
    public func isRunning(_ name: String) throws -> Bool { ProcessTree.isAlive(try host(name).pid) }

    /// Kills one host's sshd and every session it forked; idempotent.
    public func stop(_ name: String) throws {
        let host = try host(name)
        kill(host.pid, SIGCONT)
        ProcessTree.killTree(host.pid)
    }

    /// Kills every sshd of the cluster with its session children (also paused ones); idempotent.
    /// A cluster made by ``start(hosts:bastion:)`` also removes its directory.
    public func stopAll() {
        // An attached cluster's pids come from a file and may have been reused by now: check before killing.
        for host in lock.withLock({ state.allHosts }) where ownsProcesses || Self.isSSHD(host) {
            kill(host.pid, SIGCONT)
            ProcessTree.killTree(host.pid)
        }
        if removesDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Whether `host.pid` is still that host's sshd (not a reused pid of another process).
    public static func isSSHD(_ host: SSHClusterHost) -> Bool {
        guard ProcessTree.isAlive(host.pid),
            let cmdline = try? String(contentsOfFile: "/proc/\(host.pid)/cmdline", encoding: .utf8)
        else { return false }
        let hostDirectory = (host.rootDirectory as NSString).deletingLastPathComponent
        return cmdline.contains("sshd") && cmdline.contains(hostDirectory + "/sshd_config")
    }

    private func signal(_ name: String, _ signal: Int32) throws {
        let host = try host(name)
        guard kill(host.pid, signal) == 0 else {
            throw TestSupportError("kill(\(host.pid), \(signal)) for \(name) failed: errno \(errno)")
        }
    }

    private func saveState() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try lock.withLock { try encoder.encode(state) }.write(
            to: URL(fileURLWithPath: SSHClusterState.path(in: directory)))
    }
}

/// Every cluster that owns processes, so that they are killed when the process exits even if a test leaks one.
final class SSHClusterRegistry: @unchecked Sendable {
    static let shared = SSHClusterRegistry()
    private let lock = NSLock()
    private var clusters: [ObjectIdentifier: () -> Void] = [:]

    private init() {
        atexit { SSHClusterRegistry.shared.stopEverything() }
    }

    func add(_ cluster: SSHCluster) {
        lock.withLock { clusters[ObjectIdentifier(cluster)] = { [weak cluster] in cluster?.stopAllIfOwned() } }
    }

    func remove(_ cluster: SSHCluster) {
        lock.withLock { _ = clusters.removeValue(forKey: ObjectIdentifier(cluster)) }
    }

    private func stopEverything() {
        let all = lock.withLock { Array(clusters.values) }
        all.forEach { $0() }
    }
}

extension SSHCluster {
    fileprivate func stopAllIfOwned() { if ownsProcesses { stopAll() } }
}
