import RolloutJSON
import RolloutModel

/// A phase about to be carried out on one host, for ``JournalStore/beginPhases(_:in:at:)``.
public struct PhaseStart: Sendable, Hashable {
    public var host: String
    public var phase: Phase
    public var detail: JSONValue?

    public init(host: String, phase: Phase, detail: JSONValue? = nil) {
        self.host = host
        self.phase = phase
        self.detail = detail
    }
}

/// How a begun phase ended, for ``JournalStore/finishPhases(_:at:)``.
public struct PhaseFinish: Sendable, Hashable {
    public var phaseID: Int64
    public var outcome: PhaseOutcome
    public var error: String?
    /// Replaces the detail written at the start when not nil (e.g. adds the checksums of what was uploaded).
    public var detail: JSONValue?

    public init(phaseID: Int64, outcome: PhaseOutcome, error: String? = nil, detail: JSONValue? = nil) {
        self.phaseID = phaseID
        self.outcome = outcome
        self.error = error
        self.detail = detail
    }
}

/// A new status for one host, for ``JournalStore/setHostStatuses(_:in:at:)``.
public struct HostStatusUpdate: Sendable, Hashable {
    public var host: String
    public var status: HostStatus
    public var error: String?

    public init(host: String, status: HostStatus, error: String? = nil) {
        self.host = host
        self.status = status
        self.error = error
    }
}
