/// A phase of one host's rollout: the name the planner gives a step, the engine runs, the journal records (a phase
/// row's `name`), `resume` reads back and the report draws. The one list of them; no phase name is written as text
/// anywhere else.
public enum Phase: String, Sendable, Hashable, CaseIterable, Codable {
    // The planned steps, in the order a host goes through them (`rollout plan` shows them).
    case prepare, upload, validate, drain, `switch`, restart, reload, verify, undrain, cleanup
    /// `resume`: reading where a host of an interrupted rollout stands before deciding what to do with it.
    case inspect
    /// Drain mode: re-reading the gateway before the restart (the host may have been put back by someone else).
    case check
    /// The canaries' health checks run again at the end of the bake.
    case bake
    /// Putting the previous release back on a host that failed.
    case rollback

    /// The phases of a plan's steps (the others are the engine's own).
    public static let planned: [Phase] = [
        .prepare, .upload, .validate, .drain, .switch, .restart, .reload, .verify, .undrain, .cleanup,
    ]
}
