import Foundation

/// Shares one connection per bastion among every connection that hops through it, so that fanning out to many
/// hosts behind a bastion opens one SSH session there (not one per host, which sshd's default `MaxStartups 10`
/// would start refusing) and carries each host in its own `direct-tcpip` channel.
///
/// A bastion connection lives while at least one lease on it does. A connection that failed is not kept.
final class SSHBastionPool: @unchecked Sendable {
    static let shared = SSHBastionPool()

    /// Connections are shared only between identical endpoints (including their own hops) and settings.
    struct Key: Hashable {
        var endpoint: SSHEndpoint
        var hostKeyChecking: HostKeyChecking
        var useAgent: Bool
        var agentSocketPath: String?
        var passphraseEnvironmentVariable: String
    }

    private struct Entry {
        let id: UInt64
        let connection: Task<SSHConnection, any Error>
        var users: Int
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var nextID: UInt64 = 0

    /// A lease on the shared connection to `endpoint`, connecting it first when there is none.
    func lease(
        _ endpoint: SSHEndpoint, options: SSHOptions,
        connect: @escaping @Sendable () async throws -> SSHConnection
    ) async throws -> SSHBastionLease {
        let key = Key(
            endpoint: endpoint, hostKeyChecking: options.hostKeyChecking, useAgent: options.useAgent,
            agentSocketPath: options.agentSocketPath,
            passphraseEnvironmentVariable: options.passphraseEnvironmentVariable)
        let (id, task) = lock.withLock { () -> (UInt64, Task<SSHConnection, any Error>) in
            if var entry = entries[key] {
                entry.users += 1
                entries[key] = entry
                return (entry.id, entry.connection)
            }
            nextID += 1
            let entry = Entry(id: nextID, connection: Task { try await connect() }, users: 1)
            entries[key] = entry
            return (entry.id, entry.connection)
        }
        do {
            return SSHBastionLease(
                connection: try await task.value, onRelease: { [self] in release(key, id) },
                onEvict: { [self] in evict(key, id) })
        } catch {
            evict(key, id)
            release(key, id)
            throw error
        }
    }

    /// Stops handing out the connection `id` (it failed or broke); current leases keep it until released.
    private func evict(_ key: Key, _ id: UInt64) {
        lock.withLock { if entries[key]?.id == id { entries[key] = nil } }
    }

    private func release(_ key: Key, _ id: UInt64) {
        lock.withLock {
            guard var entry = entries[key], entry.id == id else { return }
            entry.users -= 1
            entries[key] = entry.users == 0 ? nil : entry
        }
    }
}

/// One user's hold on a shared bastion connection; released once, by ``release()`` or `deinit`.
final class SSHBastionLease: @unchecked Sendable {
    let connection: SSHConnection
    private let lock = NSLock()
    private var onRelease: (() -> Void)?
    private let onEvict: () -> Void

    init(connection: SSHConnection, onRelease: @escaping () -> Void, onEvict: @escaping () -> Void) {
        self.connection = connection
        self.onRelease = onRelease
        self.onEvict = onEvict
    }

    deinit { release() }

    /// Makes later connections through this bastion open a new connection (this one broke).
    func evict() { onEvict() }

    func release() {
        let action = lock.withLock { () -> (() -> Void)? in
            defer { onRelease = nil }
            return onRelease
        }
        action?()
    }
}
