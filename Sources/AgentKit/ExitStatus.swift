/// How a child ended, as reported by waitpid.
struct ExitStatus: CustomStringConvertible {
    var code: Int32?
    var signal: Int32?

    var description: String {
        if let code { return "exited with status \(code)" }
        if let signal { return "was killed by \(SignalName.name(signal))" }
        return "ended (exit status unknown: not a child of this agent)"
    }

    var succeeded: Bool { code == 0 }
}
