internal import CLibSSH2
import Foundation

/// Public-key authentication in OpenSSH's order: the ssh-agent's keys, then identity files.
struct SSHAuthenticator {
    let endpoint: SSHEndpoint
    let options: SSHOptions
    let deadline: Deadline
    let timeout: () -> SSHError

    /// Authenticates `session` or throws `.authenticationFailed` naming the user, the agent attempt and each key
    /// file with the reason it did not work.
    func authenticate(_ session: SSHSession) throws {
        let user = endpoint.user
        let (methods, listRC) = try session.retryPointer(until: deadline, timeout: timeout) {
            libssh2_userauth_list(session.handle, user, UInt32(user.utf8.count))
        }
        if methods == nil {
            if libssh2_userauth_authenticated(session.handle) != 0 { return }
            try session.check(
                listRC, "libssh2_userauth_list", .authenticationFailed,
                "the server did not list authentication methods for '\(user)'")
        }
        var report: [String] = []
        if try authenticateWithAgent(session, report: &report) { return }
        if try authenticateWithFiles(session, report: &report) { return }
        let offered = methods.map { String(cString: $0) } ?? "unknown"
        throw SSHError(
            .authenticationFailed, host: endpoint.hostDescription,
            "no key was accepted for user '\(user)' (server offers: \(offered)). Tried: "
                + report.joined(separator: "; ")
                + ". Check the user name and that one of these public keys is in that user's authorized_keys "
                + "on the host.")
    }

    private func authenticateWithAgent(_ session: SSHSession, report: inout [String]) throws -> Bool {
        guard options.useAgent else {
            report.append("ssh-agent not used (disabled)")
            return false
        }
        let socketPath = options.agentSocketPath ?? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"]
        guard let socketPath, !socketPath.isEmpty else {
            report.append("ssh-agent not tried (SSH_AUTH_SOCK is not set)")
            return false
        }
        guard let agent = libssh2_agent_init(session.handle) else {
            report.append("ssh-agent at \(socketPath) could not be initialized")
            return false
        }
        defer { libssh2_agent_free(agent) }
        libssh2_agent_set_identity_path(agent, socketPath)
        guard libssh2_agent_connect(agent) == 0 else {
            report.append("ssh-agent at \(socketPath) not reachable")
            return false
        }
        defer { libssh2_agent_disconnect(agent) }
        guard libssh2_agent_list_identities(agent) == 0 else {
            report.append("ssh-agent at \(socketPath) did not list its keys")
            return false
        }
        var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
        var count = 0
        while libssh2_agent_get_identity(agent, &identity, identity) == 0, let current = identity {
            count += 1
            let rc = try session.retry(until: deadline, timeout: timeout) {
                libssh2_agent_userauth(agent, endpoint.user, current)
            }
            if rc == 0 { return true }
        }
        report.append("ssh-agent at \(socketPath): \(count) key(s), none accepted")
        return false
    }

    private func authenticateWithFiles(_ session: SSHSession, report: inout [String]) throws -> Bool {
        let files = identityFiles()
        if files.isEmpty { report.append("no identity files (none given, no default ~/.ssh/id_* key exists)") }
        let variable = options.passphraseEnvironmentVariable
        let passphrase = ProcessInfo.processInfo.environment[variable]
        for file in files {
            guard FileManager.default.isReadableFile(atPath: file) else {
                report.append("\(file) (cannot be read)")
                continue
            }
            let rc = try session.retry(until: deadline, timeout: timeout) {
                // A nil public key path makes libssh2 derive the public key from the private key file.
                libssh2_userauth_publickey_fromfile_ex(
                    session.handle, endpoint.user, UInt32(endpoint.user.utf8.count),
                    nil, file, passphrase ?? "")
            }
            if rc == 0 { return true }
            switch rc {
            case LIBSSH2_ERROR_FILE:
                let hint =
                    passphrase == nil
                    ? "if it is passphrase-protected, put the passphrase in $\(variable)"
                    : "wrong passphrase in $\(variable), or not a supported key"
                report.append("\(file) (could not be loaded: \(hint))")
            case LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_SEND:
                throw session.error(
                    rc, "libssh2_userauth_publickey_fromfile_ex", .authenticationFailed,
                    "the server closed the connection during authentication")
            default:
                report.append("\(file) (rejected by the server)")
            }
        }
        return false
    }

    private func identityFiles() -> [String] {
        if !endpoint.identityFiles.isEmpty { return endpoint.identityFiles }
        let home = NSHomeDirectory()
        return ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }
}
