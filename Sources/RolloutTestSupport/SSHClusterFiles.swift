import Foundation

/// Keys, configs and known_hosts of an ``SSHCluster``, and starting one host's sshd.
struct SSHClusterFiles {
    static let passphrase = "rollout test passphrase"

    let directory: String
    let user: String
    var keysDirectory: String { directory + "/keys" }
    var userKey: String { keysDirectory + "/id_ed25519" }
    var encryptedUserKey: String { keysDirectory + "/id_ed25519_encrypted" }
    var authorizedKeys: String { keysDirectory + "/authorized_keys" }
    var knownHosts: String { directory + "/known_hosts" }
    var hashedKnownHosts: String { directory + "/known_hosts.hashed" }
    /// First on the `PATH` of every session on the cluster's hosts: where a test puts a stand-in for a tool that
    /// cannot run on these machines (e.g. `systemctl`, without systemd).
    var binDirectory: String { directory + "/bin" }

    init(directory: String, user: String) {
        self.directory = directory
        self.user = user
    }

    /// Creates the directory, the user keys and `authorized_keys`.
    static func create(in directory: String) throws -> SSHClusterFiles {
        let files = SSHClusterFiles(directory: directory, user: currentUser())
        let fm = FileManager.default
        try fm.createDirectory(atPath: files.keysDirectory, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: directory + "/hosts", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: files.binDirectory, withIntermediateDirectories: true)
        // sshd's privilege separation needs this directory when run as root.
        if geteuid() == 0 { try? fm.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        for path in [files.userKey, files.encryptedUserKey] where fm.fileExists(atPath: path) {
            try fm.removeItem(atPath: path)
            try? fm.removeItem(atPath: path + ".pub")
        }
        try keygen(["-q", "-t", "ed25519", "-N", "", "-C", "rollout-test-user", "-f", files.userKey])
        try keygen([
            "-q", "-t", "ed25519", "-N", passphrase, "-C", "rollout-test-encrypted", "-f", files.encryptedUserKey,
        ])
        let authorized = try [files.userKey, files.encryptedUserKey].map {
            try String(contentsOfFile: $0 + ".pub", encoding: .utf8)
        }.joined()
        try authorized.write(toFile: files.authorizedKeys, atomically: true, encoding: .utf8)
        return files
    }

    /// Creates a host's directory, host key and config, starts its sshd on a free port (retrying when another
    /// process takes the port first) and waits until it answers with its banner.
    static func startHost(name: String, files: SSHClusterFiles, sshd: String, daemonize: Bool) throws -> SSHClusterHost
    {
        let hostDir = files.directory + "/hosts/" + name
        let fm = FileManager.default
        try fm.createDirectory(atPath: hostDir + "/root", withIntermediateDirectories: true)
        let hostKey = hostDir + "/ssh_host_ed25519_key"
        if fm.fileExists(atPath: hostKey) {
            try fm.removeItem(atPath: hostKey)
            try? fm.removeItem(atPath: hostKey + ".pub")
        }
        try keygen(["-q", "-t", "ed25519", "-N", "", "-C", "rollout-\(name)", "-f", hostKey])
        let publicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        let fingerprint = try fingerprintOf(hostKey + ".pub")
        let logFile = hostDir + "/sshd.log"
        var lastError = ""
        for _ in 0..<8 {
            let port = try LocalPorts.free()
            let config = hostDir + "/sshd_config"
            let pidFile = hostDir + "/sshd.pid"
            try? fm.removeItem(atPath: pidFile)
            try sshdConfig(port: port, hostKey: hostKey, pidFile: pidFile, files: files)
                .write(toFile: config, atomically: true, encoding: .utf8)
            let pid: pid_t
            if daemonize {
                let launcher = try spawnProcess(sshd, ["-f", config, "-E", logFile])
                let status = waitForExit(launcher)
                guard status == 0, let daemon = waitForPidFile(pidFile) else {
                    lastError = "sshd exited with status \(status); see \(logFile)"
                    continue
                }
                pid = daemon
            } else {
                pid = try spawnProcess(sshd, ["-D", "-f", config, "-E", logFile])
            }
            if waitUntilServing(pid: pid, port: port) {
                return SSHClusterHost(
                    name: name, address: "127.0.0.1", port: port, pid: pid, rootDirectory: hostDir + "/root",
                    logFile: logFile, hostKeyFingerprint: fingerprint, hostPublicKey: publicKey, hostKeyPath: hostKey)
            }
            ProcessTree.killTree(pid)
            lastError = "sshd for \(name) did not serve port \(port); see \(logFile)"
        }
        throw TestSupportError("could not start sshd for \(name): \(lastError)")
    }

    /// Writes `known_hosts` (plain) and `known_hosts.hashed` (`ssh-keygen -H`) for `hosts`.
    func writeKnownHosts(hosts: [SSHClusterHost]) throws {
        let lines = hosts.map { "\($0.knownHostsName) \($0.hostPublicKey)\n" }.joined()
        try lines.write(toFile: knownHosts, atomically: true, encoding: .utf8)
        try lines.write(toFile: hashedKnownHosts, atomically: true, encoding: .utf8)
        try Self.keygen(["-q", "-H", "-f", hashedKnownHosts])
        try? FileManager.default.removeItem(atPath: hashedKnownHosts + ".old")
    }

    /// The servers' configuration. `PYENV_REHASH_TIMEOUT=-1`: the login user is root, whose `~/.bashrc` on these
    /// machines runs `pyenv init`, which rehashes pyenv's shims under a lock and waits up to 60 s for it; dozens of
    /// tests logging in at once then waited for each other for over a minute (and printed pyenv's complaints on the
    /// commands' stderr). A negative timeout skips the rehash; the login shell is still the heavy one otherwise.
    private static func sshdConfig(port: Int, hostKey: String, pidFile: String, files: SSHClusterFiles) -> String {
        """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(hostKey)
        PidFile \(pidFile)
        AuthorizedKeysFile \(files.authorizedKeys)
        StrictModes no
        UsePAM no
        PermitRootLogin prohibit-password
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        AllowTcpForwarding yes
        AllowAgentForwarding no
        X11Forwarding no
        UseDNS no
        PrintMotd no
        LogLevel DEBUG1
        MaxStartups 200
        MaxSessions 200
        MaxAuthTries 30
        LoginGraceTime 60
        Subsystem sftp internal-sftp
        SetEnv PATH=\(files.binDirectory):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        PYENV_REHASH_TIMEOUT=-1

        """
    }

    private static func waitUntilServing(pid: pid_t, port: Int) -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            // A child that exited (e.g. the port was taken) is reaped here so it does not linger as a zombie.
            if waitpid(pid, nil, WNOHANG) == pid || !ProcessTree.isAlive(pid) { return false }
            if LocalPorts.greets(port: port, prefix: "SSH-2.0-") { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    private static func waitForPidFile(_ path: String) -> pid_t? {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return pid
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    private static func fingerprintOf(_ publicKeyPath: String) throws -> String {
        let output = try keygen(["-l", "-E", "sha256", "-f", publicKeyPath])
        guard let fingerprint = output.split(separator: " ").first(where: { $0.hasPrefix("SHA256:") }) else {
            throw TestSupportError("unexpected ssh-keygen -l output: \(output)")
        }
        return String(fingerprint)
    }

    @discardableResult
    static func keygen(_ arguments: [String]) throws -> String {
        let result = try runCommand(try BuiltProducts.tool("ssh-keygen"), arguments, timeout: .seconds(30))
        guard result.status == 0 else {
            throw TestSupportError("ssh-keygen \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.stdout
    }

    static func currentUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}
