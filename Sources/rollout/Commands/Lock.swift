import ArgumentParser

/// `rollout lock status|release`: inspect and, when its holder is known to be gone, remove an inventory's lock.
struct Lock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect or force-release the per-inventory rollout locks.",
        discussion: """
            A deploy holds its inventory's lock for its whole run and renews it with a heartbeat. A lock whose \
            holder is provably dead (lease expired, or same host and process gone) is taken over by the next \
            deploy automatically; `release --force` is for the rest, after checking the holder is really gone.
            """,
        subcommands: [Status.self, Release.self]
    )
}
