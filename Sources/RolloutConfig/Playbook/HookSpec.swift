/// A command run before or after a phase, on the host or on the controller.
public struct HookSpec: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable, CaseIterable {
        case upload, drain, `switch`, restart, verify, undrain, rollout
    }

    public enum When: String, Sendable, Equatable, CaseIterable {
        case before, after
    }

    public enum Location: String, Sendable, Equatable, CaseIterable {
        case host, controller
    }

    public var when: When
    public var phase: Phase
    public var run: Template
    public var on: Location
    public var timeout: Duration
}

extension HookSpec.Phase {
    /// The strategies whose hosts have this phase (and so run its hooks).
    public var strategies: Set<Strategy> {
        switch self {
        case .upload, .switch, .verify, .rollout: [.hot, .drain, .reload]
        case .restart: [.hot, .drain]
        case .drain, .undrain: [.drain]
        }
    }
}
