import Testing

/// Every test that runs a real agent with load: one at a time, so that 32-connection load runs
/// never overlap on a 2-core machine (the assertions are on failed requests, not on timing).
@Suite("rollout-agent processes", .serialized)
enum AgentProcessTests {}
