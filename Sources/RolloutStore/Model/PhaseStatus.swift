/// The state of one phase row. `running` is written before the step is carried out (write-ahead);
/// the others close it. Raw strings are stored in `phase.status`; stable.
public enum PhaseStatus: String, Codable, Sendable, CaseIterable {
    case running
    case ok
    case failed
    case skipped
    /// Closed by `rollout resume` after the controller died while the step was under way.
    case interrupted

    /// How a finished phase ended, as passed to ``JournalStore/finishPhase(_:outcome:error:detail:at:)``.
    public init(_ outcome: PhaseOutcome) {
        switch outcome {
        case .ok: self = .ok
        case .failed: self = .failed
        case .skipped: self = .skipped
        case .interrupted: self = .interrupted
        }
    }
}

/// How a phase ended.
public enum PhaseOutcome: String, Codable, Sendable, CaseIterable {
    case ok
    case failed
    case skipped
    /// The controller died during the step; its real effect was checked (or not) by `rollout resume`.
    case interrupted
}
