import RolloutCore
import RolloutStore

extension JournalJSON {
    /// The plan's JSON document as a journal value, converted node by node (formatting the plan of 10,000 hosts as
    /// text and parsing it back cost seconds and hundreds of megabytes).
    init(_ value: JSONValue) {
        switch value {
        case .string(let text): self = .string(text)
        case .number(let number): self = .double(number)
        case .int(let integer): self = .int(Int64(integer))
        case .bool(let flag): self = .bool(flag)
        case .null: self = .null
        case .array(let items): self = .array(items.map(JournalJSON.init))
        case .object(let members): self = .object(members.mapValues(JournalJSON.init))
        }
    }
}

extension Plan {
    /// Plans of more hosts than this are journaled with the steps of their first host only.
    static let journaledStepsHostLimit = 1000

    /// The plan as the journal keeps it (the rollout's `plan` column, `rollout show --output json`). Up to
    /// `journaledStepsHostLimit` hosts, the whole plan; beyond, every host with its batch and strategy but the steps
    /// of the first host only (every host runs the same steps, rendered with its own variables), and
    /// `steps_journaled_for` saying so. The full document of 10,000 hosts is 26 MB of text and cost the controller
    /// 350 MB of memory to journal; `rollout plan` prints it whenever it is wanted.
    var journalJSON: JournalJSON {
        guard hosts.count > Self.journaledStepsHostLimit else { return JournalJSON(json) }
        var trimmed = self
        for index in trimmed.hosts.indices.dropFirst() { trimmed.hosts[index].steps = [] }
        guard case .object(var members) = JournalJSON(trimmed.json) else { return JournalJSON(trimmed.json) }
        members["steps_journaled_for"] = .string(
            "\(hosts[0].name) only: \(hosts.count) hosts is above \(Self.journaledStepsHostLimit); "
                + "`rollout plan` prints every host's steps")
        return .object(members)
    }
}
