import Foundation

/// The one place where arguments become shell text: every remote command is an argv array until it is sent
/// over SSH as a single command line.
public enum ShellQuote {
    /// One argument, quoted only when needed: plain words stay as they are, anything else is wrapped in single
    /// quotes with embedded single quotes written as `'\''`.
    public static func quote(_ argument: String) -> String {
        let safe = argument.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "@%+=:,./_-".contains($0)) }
        if safe && !argument.isEmpty { return argument }
        return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The command line that runs `argv` exactly.
    public static func join(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    /// The argv that runs a user-written shell command: `sh -c SCRIPT`. Gateway drivers and the plan both use it,
    /// so the plan shows the command line that really runs.
    public static func shell(_ script: String) -> [String] { ["sh", "-c", script] }
}
