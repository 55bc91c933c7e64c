import ArgumentParser

/// `rollout lock status|release`: inspect and, when its holder is known to be gone, remove an inventory's lock.
struct Lock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect or force-release the per-inventory rollout locks.",
        discussion: """
            A deploy holds its fleet's lock for its whole run and renews it with a heartbeat (every third of \
            --lock-lease). The lock is keyed by the canonical path of the inventory file, so every spelling of \
            --inventory is one lock. It is taken over by the next deploy only from a holder that is provably dead \
            (same host: process gone or pid reused) or silent (another host: lease expired); a live holder on this \
            host keeps it even when stopped with Ctrl-Z. `release --force` is for the rest, after checking the \
            holder is really gone: a running holder then stops at its next heartbeat as `lock lost` (exit 7).
            """,
        subcommands: [Status.self, Release.self]
    )
}
