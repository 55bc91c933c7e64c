import Foundation

/// A gateway operation that failed or could not be confirmed.
///
/// `code` is stable (scripts and the journal may match on it); `message` names the gateway, the server and
/// what the gateway said, and says what to check.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A gateway command exited non-zero or could not be run.
        public static let commandFailed = Code(rawValue: "gateway_command_failed")
        /// A status command printed something outside the documented contract.
        public static let unreadableStatus = Code(rawValue: "gateway_unreadable_status")
        /// The gateway does not know the server (or backend / virtual service).
        public static let unknownServer = Code(rawValue: "gateway_unknown_server")
        /// The gateway answered a command with an error (HAProxy runtime API, `nginx -t`).
        public static let rejected = Code(rawValue: "gateway_rejected")
        /// The state read back after a change is not the state asked for.
        public static let notConfirmed = Code(rawValue: "gateway_not_confirmed")
        /// The gateway could not be reached (socket, `socat`/`python3` missing on the gateway host).
        public static let unreachable = Code(rawValue: "gateway_unreachable")
        /// The gateway settings cannot be used (a template that does not render, a malformed address).
        public static let invalidSettings = Code(rawValue: "gateway_invalid_settings")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) [\(code)]" }

    /// A command that exited non-zero: names it, its status and the tail of what it printed.
    static func failed(_ what: String, command: String, _ result: GatewayCommandResult) -> GatewayError {
        GatewayError(
            .commandFailed,
            "\(what): `\(command)` exited with status \(result.status)\(result.outputSummary); "
                + "run it by hand on the gateway to see why")
    }
}

extension GatewayCommandResult {
    /// `: <stderr or stdout, last 400 characters>` or the empty string.
    var outputSummary: String {
        let text = [stderr, stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
        guard let text else { return "" }
        return ": " + (text.count > 400 ? "…" + String(text.suffix(400)) : text)
    }
}
