import RolloutConfig
import RolloutModel

/// One host's part of the plan.
public struct HostPlan: Sendable, Equatable {
    public var name: String
    public var address: String
    public var port: Int
    public var user: String?
    public var strategy: Strategy
    /// Index of the batch the host belongs to.
    public var batch: Int
    /// The rendered service paths on this host.
    public var root: String
    public var steps: [PlanStep]
}

/// A phase of one host's deployment and the actions it consists of, in order.
public struct PlanStep: Sendable, Equatable {
    /// One of ``Phase/planned``.
    public var phase: Phase
    public var actions: [PlanAction]
}

// The large payloads are `indirect` (boxed): an action is then about the size of a `PlannedCommand`, not of a
// `PlannedUpload`, which matters in the arrays of steps of a 10,000-host plan.
public enum PlanAction: Sendable, Equatable {
    /// Run a command; `hook` says whether it is a user hook (`before` / `after`).
    case run(PlannedCommand, hook: HookSpec.When?)
    indirect case upload(PlannedUpload)
    /// A traffic gateway step (drain, restore, or a re-check), carried out by the playbook's gateway driver.
    indirect case gateway(GatewayStep)
    /// Poll the gateway (`status`'s calls) until the host has no active connection, or the deadline passes; then
    /// `onTimeout` decides when connections are still counted. `count` says where the count comes from.
    indirect case waitDrained(
        status: [GatewayCall], count: ConnectionCount?, deadline: Duration, pollInterval: Duration,
        onTimeout: DrainTimeoutAction)
    indirect case health(PlannedHealthCheck)
    /// List releases and delete those `ReleasePruning` selects, keeping `keep`.
    case pruneReleases(list: PlannedCommand, keep: Int)
    /// `reload`: upload each file to its temporary name, checked by SHA-256 (nothing live changes).
    case uploadConfig([PlannedConfigFile])
    /// `reload`: keep each live file as its backup and rename the new one over it.
    case switchConfig([PlannedConfigFile])
}

/// Copy the artifact to the host, check it, and move it to its release directory.
public struct PlannedUpload: Sendable, Equatable {
    public var host: String
    public var source: String
    public var kind: ArtifactInfo.Kind
    public var sha256: String
    /// Commands run before the transfer (clear and create the upload directory).
    public var begin: [PlannedCommand]
    /// Where the bytes go: the upload directory (a directory artifact) or a file inside it.
    public var destination: String
    /// For a file artifact, the command printing the uploaded file's SHA-256, which must equal `sha256`.
    public var verify: PlannedCommand?
    /// Moves the upload to `release`.
    public var finish: PlannedCommand
    /// The release directory; when it already exists the upload is not repeated.
    public var release: String
    public var timeout: Duration
}

/// A health check with everything resolved for one host.
public struct PlannedHealthCheck: Sendable, Equatable {
    public enum Probe: Sendable, Equatable {
        case http(url: String, status: Int, bodyContains: String?, versionHeader: String?, versionJSONKey: String?)
        case tcp(host: String, port: Int)
        case command(PlannedCommand)
    }

    public var probe: Probe
    /// The version the check must see (with `version_header` / `version_json`).
    public var expectVersion: String?
    public var interval: Duration
    public var timeout: Duration
    public var retries: Int
    public var successes: Int
    public var deadline: Duration
}
