/// One health check, run after a host's restart until it passes, fails or its deadline passes.
public struct HealthCheckSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case http, tcp, command
    }

    public enum Probe: Sendable, Equatable {
        /// An HTTP GET from the controller.
        case http(HTTPProbe)
        /// A TCP connect from the controller.
        case tcp(host: Template, port: Template)
        /// A shell command on the host; exit status 0 is healthy.
        case command(Template)
    }

    public struct HTTPProbe: Sendable, Equatable {
        public var url: Template
        public var status: Int
        public var bodyContains: Template?
        /// A response header that must equal the new version.
        public var versionHeader: String?
        /// A top-level key of a JSON body that must equal the new version.
        public var versionJSONKey: String?
    }

    public var probe: Probe
    public var origin: ConfigOrigin
    /// Time between attempts.
    public var interval: Duration
    /// Limit for one attempt.
    public var timeout: Duration
    /// Failed attempts tolerated before the check fails.
    public var retries: Int
    /// Consecutive successes required.
    public var successes: Int
    /// Overall limit for the check to pass.
    public var deadline: Duration
}

extension HealthCheckSpec {
    /// Why an `https://` URL is refused at check time, and what to use instead: the controller's HTTP check speaks
    /// plain HTTP only, and an https URL would fail at verify, after the drain, the switch and the restart.
    public static let httpsUnsupported =
        "the controller's HTTP check speaks plain HTTP only (an https check would fail at verify, after the drain, "
        + "switch and restart); check the service's plain-HTTP port, or use `type: command` with "
        + "`run: curl -fsS --cacert CA.pem https://...` (runs on the host, with its certificates)"
}
