/// A phase about to be carried out on one host, for ``JournalStore/beginPhases(_:in:at:)``.
public struct PhaseStart: Sendable, Hashable {
    public var host: String
    /// The step's name: `upload`, `drain`, `switch`, `restart`, `verify`, `undrain`, `rollback`, ...
    public var phase: String
    public var detail: JournalJSON?

    public init(host: String, phase: String, detail: JournalJSON? = nil) {
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
    public var detail: JournalJSON?

    public init(phaseID: Int64, outcome: PhaseOutcome, error: String? = nil, detail: JournalJSON? = nil) {
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
