import RolloutConfig
import RolloutEngine

/// `timeouts.rollout`: when it passes, the rollout stops as for a first Ctrl-C (the hosts in flight finish their
/// steps and drained hosts are restored; no host starts), so a run never outlasts its playbook's limit.
enum RolloutDeadline {
    static func start(_ limit: Duration, stop: StopSignal, observer: any DeployObserver) -> Task<Void, Never> {
        Task {
            guard (try? await Task.sleep(for: limit)) != nil, !stop.isStopped else { return }
            observer.event(
                .note(
                    "timeouts.rollout (\(ConfigDuration.format(limit))) has passed: stopping as for Ctrl-C "
                        + "(the hosts in flight finish, no other starts); `rollout resume` continues"))
            stop.stop(.interrupted)
        }
    }
}
