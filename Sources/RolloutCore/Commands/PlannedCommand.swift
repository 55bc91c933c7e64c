import RolloutText

/// A command the deploy engine will run: where, the exact argv, optional standard input and a time limit.
public struct PlannedCommand: Sendable, Equatable {
    /// `controller` for the machine running rollout; otherwise an inventory host name.
    public static let controller = "controller"

    public var on: String
    public var argv: [String]
    /// Bytes written to the command's standard input (the HAProxy runtime API reads its command there).
    public var stdin: String?
    public var timeout: Duration?
    /// A non-zero exit status is expected and not a failure (e.g. `readlink` before the first release).
    public var mayFail: Bool

    public init(on: String, argv: [String], stdin: String? = nil, timeout: Duration? = nil, mayFail: Bool = false) {
        self.on = on
        self.argv = argv
        self.stdin = stdin
        self.timeout = timeout
        self.mayFail = mayFail
    }

    /// The command line sent over SSH (or to `/bin/sh -c` on the controller), quoted by `ShellQuote`.
    public var line: String { ShellQuote.join(argv) }

    /// A user-written shell command (hooks, health `command`, gateway `command`), run by `sh -c`.
    public static func shell(_ script: String, on: String, timeout: Duration? = nil) -> PlannedCommand {
        PlannedCommand(on: on, argv: ShellQuote.shell(script), timeout: timeout)
    }
}
