import Glibc

/// The agent's listeners: the active ones (handed to new generations, in config order) and retired
/// ones that a reload removed but a running generation still uses.
///
/// Guarantees: a socket whose address stays in the config is never closed or re-created, so its
/// accept queue survives every handoff and reload; a retired socket is closed only once no running
/// generation holds it.
final class ListenerSet {
    private(set) var active: [Listener] = []
    private(set) var retired: [Listener] = []

    init(active: [Listener] = [], retired: [Listener] = []) {
        self.active = active
        self.retired = retired
    }

    /// Opens every configured listener, adopting systemd-activated fds by name.
    static func open(_ configs: [ListenerConfig], activated: [String: Int32]) throws -> ListenerSet {
        let set = ListenerSet()
        do {
            for config in configs {
                set.active.append(try Listener.open(config, activatedFD: activated[config.name]))
            }
        } catch {
            set.closeAll()
            throw error
        }
        return set
    }

    /// Applies a new listener list: keeps sockets whose address is unchanged, opens new ones, retires
    /// the rest. All-or-nothing: when one cannot be opened, nothing changes.
    func reload(_ configs: [ListenerConfig]) throws -> (added: [String], removed: [String]) {
        var next: [Listener] = []
        var opened: [Listener] = []
        do {
            for config in configs {
                if var kept = active.first(where: { $0.addressKey == config.addressKey }) {
                    kept.name = config.name
                    next.append(kept)
                } else {
                    let listener = try Listener.open(config, activatedFD: nil)
                    opened.append(listener)
                    next.append(listener)
                }
            }
        } catch {
            opened.forEach { $0.close() }
            throw error
        }
        let removed = active.filter { old in !next.contains { $0.fd == old.fd } }
        retired += removed
        active = next
        return (opened.map(\.name), removed.map(\.name))
    }

    /// Closes retired listeners no running generation uses.
    func closeRetired(inUse: Set<Int32>) {
        let (keep, close) = (retired.filter { inUse.contains($0.fd) }, retired.filter { !inUse.contains($0.fd) })
        close.forEach { $0.close() }
        retired = keep
    }

    func closeAll() {
        (active + retired).forEach { $0.close() }
        active = []
        retired = []
    }
}
