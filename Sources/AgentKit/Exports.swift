/// The control protocol's types (`ControlRequest`, `ControlResponse` and its parts) live in `AgentProtocol`, shared with
/// the controller; whoever uses the agent uses them too.
@_exported import AgentProtocol
