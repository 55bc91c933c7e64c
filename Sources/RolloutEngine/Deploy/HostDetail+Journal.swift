import RolloutModel
import RolloutStore

/// What a host's phases in the journal say about where a dead controller left it.
extension HostDetail {
    /// The journal shows the host drained and not put back since: a `drain` began after its last `undrain` that
    /// passed (a drain still `running` counts: the gateway may have taken it).
    public var drainedInJournal: Bool {
        guard let drain = phases.lastIndex(where: { $0.phase == .drain }) else { return false }
        guard let undrain = phases.lastIndex(where: { $0.phase == .undrain && $0.status == .ok }) else { return true }
        return drain > undrain
    }

    /// The step of this rollout that failed on the host and that the controller was handling (rolling back,
    /// restoring) when it died, while the host's status does not say so yet: its first `failed` phase other than
    /// resume's own `inspect` and the `rollback` that answers a failure. Nil for a host whose status already
    /// records its failure (`failed`, `rolled_back`).
    public var unrecordedFailure: PhaseEntry? {
        guard status != .failed && status != .rolledBack else { return nil }
        return phases.first { phase in
            phase.status == .failed && phase.phase != .inspect && phase.phase != .rollback
                && !Self.stopCodes.contains { phase.error?.hasPrefix($0) == true }
        }
    }

    /// A step cut by a stop (an interrupt, a lost lock) is not a failure of the host: it runs again.
    private static let stopCodes = [DeployError.Code.interrupted, .lockLost].map { "\($0.rawValue):" }

    /// A `switch` began: `current` may point to the new release.
    var switchedInJournal: Bool { phases.contains { $0.phase == .switch } }

    /// A `rollback` after the failure passed: the host is back on its previous release.
    func rolledBackInJournal(after failure: PhaseEntry) -> Bool {
        phases.contains { $0.phase == .rollback && $0.status == .ok && $0.id > failure.id }
    }
}
