import Foundation
import RolloutModel
import RolloutStore

/// What a rollout reports as it goes; the CLI turns these into JSON lines, a terminal view and JUnit.
public enum DeployEvent: Sendable {
    case rolloutStarted(
        id: Int64, inventory: String, playbook: String, version: String, previousVersion: String?,
        hosts: Int, batches: Int)
    case batchStarted(index: Int, kind: String, hosts: [String])
    case phaseStarted(host: String, phase: Phase)
    case phaseFinished(host: String, phase: Phase, outcome: PhaseOutcome, error: String?, milliseconds: Double)
    case hostFinished(host: String, status: HostStatus, error: String?, milliseconds: Double)
    case rolloutFinished(id: Int64, status: RolloutStatus, exitCode: Int32, error: String?)
    /// Something worth a line for people (a lock wait, a takeover, a bake, Ctrl-C).
    case note(String)
}

/// Receives a rollout's events, in order per host; calls may come from several tasks at once.
public protocol DeployObserver: Sendable {
    func event(_ event: DeployEvent)
}

/// Fans events out to several observers.
public struct DeployObservers: DeployObserver {
    public var observers: [any DeployObserver]

    public init(_ observers: [any DeployObserver]) {
        self.observers = observers
    }

    public func event(_ event: DeployEvent) {
        for observer in observers { observer.event(event) }
    }
}
