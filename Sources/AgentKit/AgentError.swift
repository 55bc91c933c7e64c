import Glibc

/// An error raised by the agent, with a stable `code` and a message that says what to do.
///
/// Codes are part of the documented interface (`docs/agent.md`); new ones may be added, existing
/// ones never change meaning.
public struct AgentError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A stable machine-readable code such as `config.invalid` or `sys.bind`.
    public let code: String
    /// What went wrong and what to do about it.
    public let message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// An error from a system call: names the call and carries `errno`'s text.
    static func system(_ call: String, errno number: Int32 = errno, _ context: String = "") -> AgentError {
        let text = String(cString: strerror(number))
        let suffix = context.isEmpty ? "" : " (\(context))"
        return AgentError("sys.\(call)", "\(call) failed: \(text) [errno \(number)]\(suffix)")
    }
}

/// Retries a system call while it fails with `EINTR`; throws `AgentError.system` on other failures.
@discardableResult
func syscall<T: BinaryInteger>(_ name: String, _ context: String = "", _ body: () -> T) throws -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        if errno == EINTR { continue }
        throw AgentError.system(name, errno: errno, context)
    }
}
