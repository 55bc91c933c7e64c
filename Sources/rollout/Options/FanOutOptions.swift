import ArgumentParser

/// `--forks N`: how many hosts `ping`, `exec`, `agent install` and `gateway status` work on at once.
///
/// Not offered by `deploy`, `resume`, `rollback` and `promote` (an unknown option there, exit 2): a rollout's
/// width is its plan's (`serial`, `window`, the canary), journaled so that `rollout resume` runs it the same, and
/// `rollout plan` shows it. A cap given on one command line would be neither.
struct FanOutOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "How many hosts to work on at once.")
    var forks: Int = 20

    func validate() throws {
        guard forks >= 1 else { throw ValidationError("--forks must be at least 1") }
    }
}
