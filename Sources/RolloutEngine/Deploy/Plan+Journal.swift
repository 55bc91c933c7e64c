import RolloutCore
import RolloutJSON
import RolloutStore

extension Plan {
    /// Plans of more hosts than this are journaled with the steps of their first host only.
    static let journaledStepsHostLimit = 1000

    /// The plan as the journal keeps it (the rollout's `plan` column, `rollout show --output json`). Up to
    /// `journaledStepsHostLimit` hosts, the whole plan; beyond, every host with its batch and strategy but the steps
    /// of the first host only (every host runs the same steps, rendered with its own variables), and
    /// `steps_journaled_for` saying so. The full document of 10,000 hosts is 26 MB of text and cost the controller
    /// 350 MB of memory to journal; `rollout plan` prints it whenever it is wanted.
    var journalJSON: JSONValue? {
        var trimmed = self
        let trim = hosts.count > Self.journaledStepsHostLimit
        if trim { for index in trimmed.hosts.indices.dropFirst() { trimmed.hosts[index].steps = [] } }
        guard case .object(var members)? = try? JSONValue(parsing: trimmed.jsonText) else { return nil }
        if trim {
            members["steps_journaled_for"] = .string(
                "\(hosts[0].name) only: \(hosts.count) hosts is above \(Self.journaledStepsHostLimit); "
                    + "`rollout plan` prints every host's steps")
        }
        return .object(members)
    }
}
