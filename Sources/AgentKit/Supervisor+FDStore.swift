import Glibc

/// systemd's file-descriptor store: under `Type=notify` (with `FileDescriptorStoreMax=` in the unit) the agent keeps a
/// copy of every active listener in systemd, named after the listener. When the agent dies and systemd starts it
/// again, the listeners come back as `LISTEN_FDS`/`LISTEN_FDNAMES`, and the takeover (or a fresh start) adopts them by
/// name instead of binding again or copying them out of the service.
extension Supervisor {
    /// Makes the store hold exactly the active listeners: a name whose socket changed or went away is removed
    /// (`FDSTOREREMOVE=1`), a new one is added (`FDSTORE=1`, `FDNAME=`). A no-op outside systemd.
    func pushListenersToFDStore() {
        guard let socket = systemdSocket, !socket.isEmpty else { return }
        let active = Dictionary(listeners.active.map { ($0.name, $0.fd) }, uniquingKeysWith: { first, _ in first })
        // After a start, self-upgrade or takeover this process does not know what the store holds: replace each name.
        let stale = fdStore.isEmpty ? Set(active.keys) : Set(fdStore.filter { active[$0.key] != $0.value }.keys)
        for name in stale.sorted() {
            Systemd.notify("FDSTOREREMOVE=1\nFDNAME=\(name)", socketPath: socket)
            fdStore[name] = nil
        }
        for (name, fd) in active.sorted(by: { $0.key < $1.key }) where fdStore[name] == nil {
            if Systemd.notify("FDSTORE=1\nFDNAME=\(name)", fds: [fd], socketPath: socket) {
                fdStore[name] = fd
            } else {
                agentLog("cannot put listener '\(name)' in systemd's fd store: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// A graceful stop: the store must not keep the ports bound once nothing serves them.
    func removeListenersFromFDStore() {
        guard let socket = systemdSocket, !socket.isEmpty else { return }
        for name in fdStore.keys.sorted() { Systemd.notify("FDSTOREREMOVE=1\nFDNAME=\(name)", socketPath: socket) }
        fdStore = [:]
    }
}
