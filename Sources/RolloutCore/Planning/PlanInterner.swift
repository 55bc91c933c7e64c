/// Makes the equal strings and argument lists of consecutive hosts' plans share one copy.
///
/// Most commands of a rollout are the same on every host but for `on` (`mkdir -p /srv/web/releases ...`,
/// `mv -T ...`): without sharing, a 10,000-host plan held 10,000 copies of each, about half its memory.
/// Sharing changes no value; it only lets copy-on-write storage be referenced instead of duplicated.
///
/// Hosts' plans have the same shape, so each value is compared with the one in the same place of the previous
/// host's plan (a comparison of bytes, cheaper than hashing every value into a set).
final class PlanInterner {
    private var previousArgvs: [[String]] = []
    private var previousStrings: [String] = []
    private var argvSlot = 0
    private var stringSlot = 0

    /// `plan` with every command's argv and stdin, and the upload's paths, shared with earlier hosts' plans.
    func intern(_ plan: HostPlan) -> HostPlan {
        argvSlot = 0
        stringSlot = 0
        var plan = plan
        plan.root = string(plan.root)
        plan.steps = plan.steps.map { step in PlanStep(phase: step.phase, actions: step.actions.map(action)) }
        return plan
    }

    private func action(_ action: PlanAction) -> PlanAction {
        switch action {
        case .run(let command, let hook):
            return .run(self.command(command), hook: hook)
        case .upload(var upload):
            upload.source = string(upload.source)
            upload.begin = upload.begin.map(command)
            upload.destination = string(upload.destination)
            upload.verify = upload.verify.map(command)
            upload.finish = command(upload.finish)
            upload.release = string(upload.release)
            return .upload(upload)
        case .gateway(var step):
            step.calls = step.calls.map(call)
            return .gateway(step)
        case .waitDrained(let status, let count, let deadline, let poll, let onTimeout):
            return .waitDrained(
                status: status.map(call), count: count, deadline: deadline, pollInterval: poll, onTimeout: onTimeout)
        case .health(var check):
            if case .command(let command) = check.probe { check.probe = .command(self.command(command)) }
            return .health(check)
        case .pruneReleases(let list, let keep):
            return .pruneReleases(list: command(list), keep: keep)
        case .uploadConfig, .switchConfig:
            // Rendered per host: rarely equal between hosts, and small.
            return action
        }
    }

    private func call(_ call: GatewayCall) -> GatewayCall {
        guard case .run(let command, let purpose) = call else { return call }
        return .run(self.command(command), purpose: purpose)
    }

    private func command(_ command: PlannedCommand) -> PlannedCommand {
        var command = command
        command.argv = argv(command.argv)
        command.stdin = command.stdin.map(string)
        return command
    }

    private func argv(_ argv: [String]) -> [String] {
        Self.share(argv, with: &previousArgvs, at: &argvSlot)
    }

    private func string(_ string: String) -> String {
        // Up to 15 UTF-8 bytes a string is stored inline: there is nothing to share.
        guard string.utf8.count > 15 else { return string }
        return Self.share(string, with: &previousStrings, at: &stringSlot)
    }

    /// The previous host's value in this place when equal (remembering `value` otherwise), and the next place.
    private static func share<Value: Equatable>(_ value: Value, with previous: inout [Value], at slot: inout Int)
        -> Value
    {
        defer { slot += 1 }
        guard slot < previous.count else {
            previous.append(value)
            return value
        }
        if previous[slot] == value { return previous[slot] }
        previous[slot] = value
        return value
    }
}
