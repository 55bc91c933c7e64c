import RolloutCore

extension RolloutRunner {
    /// The version journaled for the rollout. A config-only rollout without a given version (`--version`,
    /// `artifact.version`) changes no release, so it records the release the hosts run (`previous`); a given
    /// one labels the configuration in `rollout history`.
    func journalVersion(previous: String?) -> String {
        plan.version.source == .current ? (previous ?? plan.version.version) : plan.version.version
    }

    /// The version a host ends on: a `reload` host keeps its release.
    func targetVersion(of host: HostPlan, current: String?, previous: String?) -> String {
        host.strategy == .reload ? (current ?? journalVersion(previous: previous)) : plan.version.version
    }
}
