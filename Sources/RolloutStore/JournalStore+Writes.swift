import Foundation
import RolloutJSON
import RolloutModel

extension JournalStore {
    /// Journals the start of a rollout (status `running`) and returns its id. Ids increase and are never reused.
    public func beginRollout(_ start: RolloutStart) async throws -> Int64 {
        try await backend.beginRollout(start)
    }

    /// Adds the planned hosts of a rollout, all `pending`, in one transaction (10,000 hosts included).
    ///
    /// - Throws: ``JournalError`` `unknown_rollout`, or `duplicate_host` when a name is already in the
    ///   rollout or appears twice in `hosts` (then none of `hosts` is added).
    public func addHosts(_ hosts: [HostEntry], to rolloutID: Int64, at date: Date = Date()) async throws {
        try await backend.addHosts(hosts, to: rolloutID, at: date)
    }

    /// Sets where one host stands (and its error, cleared when nil).
    public func setHostStatus(
        _ status: HostStatus, host: String, in rolloutID: Int64, error: String? = nil, at date: Date = Date()
    ) async throws {
        try await setHostStatuses([HostStatusUpdate(host: host, status: status, error: error)], in: rolloutID, at: date)
    }

    /// Sets the status of several hosts in one transaction (a whole batch finishing).
    ///
    /// - Throws: ``JournalError`` `unknown_host` if any host is not in the rollout (then nothing changes).
    public func setHostStatuses(_ updates: [HostStatusUpdate], in rolloutID: Int64, at date: Date = Date())
        async throws
    {
        try await backend.setHostStatuses(updates, in: rolloutID, at: date)
    }

    /// Closes a rollout with its final status, the controller's exit code and the error that ended it.
    ///
    /// Finishing an already finished rollout overwrites the outcome (resume finishing an `interrupted` one).
    /// - Throws: ``JournalError`` `invalid_status` for `running`, `unknown_rollout` for an unknown id.
    public func finishRollout(
        _ id: Int64, status: RolloutStatus, exitCode: Int32, error: String? = nil, at date: Date = Date()
    ) async throws {
        guard status != .running else {
            throw JournalError(.invalidStatus, "a rollout cannot be finished as 'running'; pass its final status")
        }
        try await backend.finishRollout(id, status: status, exitCode: exitCode, error: error, at: date)
    }

    /// Puts a resumable rollout back to `running` (its finish time, exit code and error cleared): `rollout resume`
    /// carries it on, and until it finishes again the journal says it runs (or, should that controller die too, that
    /// it was left unfinished).
    public func reopenRollout(_ id: Int64) async throws {
        try await backend.reopenRollout(id)
    }

    /// Marks the unfinished rollout `id` `superseded` by the newer rollout `newer`, in one transaction with the
    /// events that say so on both (`rollout.superseded` on `id`, `rollout.supersedes` on `newer`, with `detail`).
    /// Returns false, writing nothing, when `id` is no longer resumable (another controller finished it meanwhile).
    @discardableResult
    public func supersedeRollout(
        _ id: Int64, by newer: Int64, message: String, detail: [String: JSONValue] = [:], at date: Date = Date()
    ) async throws -> Bool {
        try await backend.supersedeRollout(id, by: newer, message: message, detail: detail, at: date)
    }

    /// Write-ahead: journals that `phase` is about to run on `host` (status `running`) and returns the
    /// phase id to close with ``finishPhase(_:outcome:error:detail:at:)``. A `pending` host becomes `running`.
    ///
    /// - Throws: ``JournalError`` `unknown_host` when the host was not added to the rollout.
    public func beginPhase(
        _ phase: Phase, host: String, in rolloutID: Int64, detail: JSONValue? = nil, at date: Date = Date()
    ) async throws -> Int64 {
        try await beginPhases([PhaseStart(host: host, phase: phase, detail: detail)], in: rolloutID, at: date)[0]
    }

    /// Begins several phases (one per host of a batch) in one transaction; ids in the order given.
    public func beginPhases(_ starts: [PhaseStart], in rolloutID: Int64, at date: Date = Date()) async throws
        -> [Int64]
    {
        try await backend.beginPhases(starts, in: rolloutID, at: date)
    }

    /// Closes a running phase with its outcome; `detail`, when given, replaces the one written at the start.
    ///
    /// - Throws: ``JournalError`` `unknown_phase`, or `phase_already_finished` (a phase closes once).
    public func finishPhase(
        _ phaseID: Int64, outcome: PhaseOutcome, error: String? = nil, detail: JSONValue? = nil,
        at date: Date = Date()
    ) async throws {
        try await finishPhases(
            [PhaseFinish(phaseID: phaseID, outcome: outcome, error: error, detail: detail)], at: date)
    }

    /// Closes several phases in one transaction; if any cannot be closed, none is.
    public func finishPhases(_ finishes: [PhaseFinish], at date: Date = Date()) async throws {
        try await backend.finishPhases(finishes, at: date)
    }

    /// Closes a running phase like ``finishPhase(_:outcome:error:detail:at:)`` but returns once the write is queued:
    /// it commits in the same transaction as the journal's next write or before it, so a caller that awaits its
    /// next write (the next phase's ``beginPhase(_:host:in:detail:at:)``) knows this one is durable too — one commit
    /// wait per step instead of two. `onError` hears of a close that could not be written.
    public func finishPhaseQueued(
        _ phaseID: Int64, outcome: PhaseOutcome, error: String? = nil, detail: JSONValue? = nil,
        at date: Date = Date(), onError: @escaping @Sendable (any Error) -> Void
    ) throws {
        try backend.finishPhaseQueued(
            PhaseFinish(phaseID: phaseID, outcome: outcome, error: error, detail: detail), at: date, onError: onError)
    }

    /// Records an event and returns its id. With a `rolloutID` and no `inventory`, the rollout's
    /// inventory is filled in so that `events(inventory:)` finds it.
    @discardableResult
    public func recordEvent(
        _ kind: EventKind, message: String, rolloutID: Int64? = nil, inventory: String? = nil,
        detail: JSONValue? = nil, at date: Date = Date()
    ) async throws -> Int64 {
        try await backend.recordEvent(
            kind, message: message, rolloutID: rolloutID, inventory: inventory, detail: detail, at: date)
    }

    /// Closes an event journaled write-ahead (a rollout hook recorded as `running` before it ran): replaces its
    /// message and detail, keeping its kind, rollout and time.
    ///
    /// - Throws: ``JournalError`` `unknown_event` for an unknown id.
    public func updateEvent(_ id: Int64, message: String, detail: JSONValue?) async throws {
        try await backend.updateEvent(id, message: message, detail: detail)
    }

    /// Journals that `files` went live on `host` (renamed into place) in one transaction.
    ///
    /// - Throws: ``JournalError`` `unknown_host` when the host is not part of the rollout.
    public func recordConfigFiles(
        _ files: [ConfigFileEntry], host: String, in rolloutID: Int64, at date: Date = Date()
    ) async throws {
        try await backend.recordConfigFiles(files, host: host, in: rolloutID, at: date)
    }

    /// Journals that the files this rollout switched on `host` were put back (their previous versions are
    /// live again).
    public func markConfigFilesRestored(host: String, in rolloutID: Int64, at date: Date = Date()) async throws {
        try await backend.markConfigFilesRestored(host: host, in: rolloutID, at: date)
    }
}
