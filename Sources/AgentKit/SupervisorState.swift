/// The agent-level state, shown in `status`.
enum SupervisorState: String {
    /// No generation and nothing scheduled (restart policy `never`, or a failed first start).
    case idle
    /// A generation is starting and none serves yet.
    case starting
    /// A generation serves.
    case running
    /// A new generation is starting or the old one draining while one serves.
    case restarting
    /// The serving generation got its reload signal; waiting for its confirmation (`ctl reload-service`).
    case reloading
    /// The service crashed; the next start waits for its backoff.
    case backoff
    /// Draining everything before the agent exits.
    case stopping
}
