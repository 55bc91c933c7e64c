internal import CLibSSH2
import Crypto
import Foundation

/// Checks a server's host key against an OpenSSH `known_hosts` file (plain, `[host]:port` and hashed `|1|`
/// entries) and, in accept-new mode, records unknown keys.
struct KnownHosts {
    let path: String
    let endpoint: SSHEndpoint

    /// Serializes appends within this process; `flock` serializes them against other processes.
    private static let appendLock = NSLock()

    init(endpoint: SSHEndpoint) {
        self.endpoint = endpoint
        path = endpoint.knownHostsFile ?? (NSHomeDirectory() + "/.ssh/known_hosts")
    }

    /// Verifies the session's host key per `checking`; returns its SHA-256 fingerprint.
    func verify(_ session: SSHSession, checking: HostKeyChecking) throws -> String {
        let (key, type) = try session.hostKey()
        let fingerprint = Self.fingerprint(key)
        let keyName = Self.keyTypeName(type)
        switch try check(session, key: key, type: type) {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return fingerprint
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            let lines = matchingLines().map { "\(path):\($0)" }.joined(separator: ", ")
            throw SSHError(
                .hostKeyChanged, host: endpoint.hostDescription,
                "HOST KEY CHANGED: the server now presents \(keyName) key \(fingerprint), which differs "
                    + "from the one recorded in \(lines.isEmpty ? path : lines). This may be an attack or a "
                    + "reinstalled host; verify the new key out of band, then remove the old entry with "
                    + "`ssh-keygen -R '\(endpoint.knownHostsName)' -f \(path)`. Changed keys are never "
                    + "accepted automatically.")
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND where checking == .acceptNew:
            try append(session, key: key, type: type, keyName: keyName, fingerprint: fingerprint)
            return fingerprint
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw SSHError(
                .hostKeyUnknown, host: endpoint.hostDescription,
                "host key \(keyName) \(fingerprint) of \(endpoint.knownHostsName) is not in \(path). "
                    + "Verify the fingerprint, then add it (e.g. `ssh-keyscan -p \(endpoint.port) "
                    + "\(endpoint.address) >> \(path)`) or connect once with host key checking accept-new.")
        default:
            throw SSHError(
                .handshakeFailed, host: endpoint.hostDescription,
                "could not check the host key against \(path): \(session.lastErrorMessage())",
                function: "libssh2_knownhost_checkp")
        }
    }

    /// Reads the file into a fresh libssh2 collection and checks the key (missing file = no entries).
    private func check(_ session: SSHSession, key: [UInt8], type: Int32) throws -> Int32 {
        guard let hosts = libssh2_knownhost_init(session.handle) else {
            throw session.error(session.lastErrno, "libssh2_knownhost_init", .handshakeFailed, "out of memory")
        }
        defer { libssh2_knownhost_free(hosts) }
        // Line by line rather than libssh2_knownhost_readfile, which rejects the whole file over one line it
        // does not understand (@cert-authority, key types newer than libssh2 1.10 such as sk-ssh-ed25519).
        for line in (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n") ?? [] {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            if text.hasPrefix("@") {
                try checkRevoked(text, key: key)
                continue
            }
            // libssh2 reads the key up to the line end even past `len`: give it the newline and a terminator,
            // as fgets would (AddressSanitizer found the over-read).
            let bytes = Array((text + "\n").utf8) + [0]
            _ = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) {
                    libssh2_knownhost_readline(hosts, $0.baseAddress, $0.count - 1, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
                }
            }
        }
        let typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | Self.keyTypeMask(type)
        return key.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                libssh2_knownhost_checkp(
                    hosts, endpoint.address, Int32(endpoint.port), $0.baseAddress, $0.count,
                    typemask, nil)
            }
        }
    }

    /// Refuses a key listed in a `@revoked` line for this host (`@cert-authority` lines are ignored: host
    /// certificates are not supported).
    private func checkRevoked(_ line: String, key: [UInt8]) throws {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 4, fields[0] == "@revoked", Data(base64Encoded: String(fields[3])) == Data(key),
            fields[1].split(separator: ",").contains(where: { Self.pattern($0, matches: endpoint.knownHostsName) })
        else { return }
        throw SSHError(
            .hostKeyRevoked, host: endpoint.hostDescription,
            "the host presents key \(Self.fingerprint(key)), which \(path) marks @revoked; refusing to connect. "
                + "Find out why the key was revoked before changing the file.")
    }

    /// Appends `[host]:port type base64` (OpenSSH format) with `O_APPEND`, under an in-process lock and `flock`,
    /// after re-checking that no concurrent connection recorded the host meanwhile.
    private func append(_ session: SSHSession, key: [UInt8], type: Int32, keyName: String, fingerprint: String) throws {
        try Self.appendLock.withLock {
            let directory = (path as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw SSHError(
                    .localFile, host: endpoint.hostDescription,
                    "cannot open \(path) to record the host key: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            flock(fd, LOCK_EX)
            defer { flock(fd, LOCK_UN) }
            switch try check(session, key: key, type: type) {
            case LIBSSH2_KNOWNHOST_CHECK_MATCH: return
            case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
                throw SSHError(
                    .hostKeyChanged, host: endpoint.hostDescription,
                    "another connection recorded a different key for \(endpoint.knownHostsName) in \(path) "
                        + "while we were connecting; this one (\(fingerprint)) is refused")
            default: break
            }
            var line = "\(endpoint.knownHostsName) \(keyName) \(Data(key).base64EncodedString())\n"
            if let last = lastByte(), last != UInt8(ascii: "\n") { line = "\n" + line }
            let bytes = Array(line.utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else {
                throw SSHError(
                    .localFile, host: endpoint.hostDescription,
                    "cannot append to \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func lastByte() -> UInt8? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end > 0 else { return nil }
        try? handle.seek(toOffset: end - 1)
        return (try? handle.read(upToCount: 1))?.first
    }

    /// 1-based line numbers of entries for this host (plain or hashed), for messages.
    func matchingLines() -> [Int] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        let name = endpoint.knownHostsName
        var result: [Int] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.first?.hasPrefix("@") == true { fields.removeFirst() }
            guard let hostField = fields.first, !hostField.hasPrefix("#") else { continue }
            if hostField.split(separator: ",").contains(where: { Self.pattern($0, matches: name) }) {
                result.append(index + 1)
            }
        }
        return result
    }

    /// Whether one host pattern of a known_hosts line names `name`: `|1|salt|hash` is HMAC-SHA1(salt, name),
    /// others are globs (`*`, `?`) as in OpenSSH.
    private static func pattern(_ pattern: Substring, matches name: String) -> Bool {
        guard pattern.hasPrefix("|1|") else {
            if pattern == name { return true }
            guard pattern.contains(where: { $0 == "*" || $0 == "?" }) else { return false }
            // `[host]:port` brackets are literal in known_hosts, but a character class to fnmatch.
            let glob = pattern.replacingOccurrences(of: "[", with: "\\[").replacingOccurrences(of: "]", with: "\\]")
            return fnmatch(glob, name, 0) == 0
        }
        let parts = pattern.split(separator: "|")
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
            let hash = Data(base64Encoded: String(parts[2]))
        else { return false }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(name.utf8), using: SymmetricKey(data: salt))
        return Data(mac) == hash
    }

    /// `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it.
    static func fingerprint(_ key: [UInt8]) -> String {
        let digest = Data(SHA256.hash(data: key)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }

    static func keyTypeName(_ type: Int32) -> String {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: "ssh-rsa"
        case LIBSSH2_HOSTKEY_TYPE_DSS: "ssh-dss"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: "ecdsa-sha2-nistp256"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: "ecdsa-sha2-nistp384"
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: "ecdsa-sha2-nistp521"
        case LIBSSH2_HOSTKEY_TYPE_ED25519: "ssh-ed25519"
        default: "unknown"
        }
    }

    private static func keyTypeMask(_ type: Int32) -> Int32 {
        switch type {
        case LIBSSH2_HOSTKEY_TYPE_RSA: LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case LIBSSH2_HOSTKEY_TYPE_DSS: LIBSSH2_KNOWNHOST_KEY_SSHDSS
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case LIBSSH2_HOSTKEY_TYPE_ED25519: LIBSSH2_KNOWNHOST_KEY_ED25519
        default: LIBSSH2_KNOWNHOST_KEY_UNKNOWN
        }
    }
}
