/// The one place where arguments become shell text: every remote command is an argv array until it is sent
/// over SSH as a single command line.
public enum ShellQuote {
    /// One argument, quoted only when needed: plain words stay as they are, anything else is wrapped in single
    /// quotes with embedded single quotes written as `'\''`.
    public static func quote(_ argument: String) -> String {
        if !argument.isEmpty && argument.utf8.allSatisfy(isSafe) { return argument }
        let out = OutputBuffer()
        write(argument, to: out)
        return out.text
    }

    /// `quote(argument)` written into `out`, with no string made for it (the plan's text quotes millions).
    @inlinable
    public static func write(_ argument: String, to out: OutputBuffer) {
        var argument = argument
        argument.withUTF8 { write(bytes: $0, to: out) }
    }

    @inlinable
    public static func write(_ argument: Substring, to out: OutputBuffer) {
        var argument = argument
        argument.withUTF8 { write(bytes: $0, to: out) }
    }

    @inlinable
    static func write(bytes: UnsafeBufferPointer<UInt8>, to out: OutputBuffer) {
        if !bytes.isEmpty && bytes.allSatisfy(isSafe) { return out.write(bytes) }
        out.write(byte: UInt8(ascii: "'"))
        var start = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "'") {
            out.write(UnsafeBufferPointer(rebasing: bytes[start..<i]))
            out.write("'\\''")
            start = i + 1
        }
        out.write(UnsafeBufferPointer(rebasing: bytes[start...]))
        out.write(byte: UInt8(ascii: "'"))
    }

    /// The command line that runs `argv` exactly.
    public static func join(_ argv: [String]) -> String {
        let out = OutputBuffer()
        write(line: argv, to: out)
        return out.text
    }

    /// `join(argv)` written into `out`.
    @inlinable
    public static func write(line argv: [String], to out: OutputBuffer) {
        for (i, argument) in argv.enumerated() {
            if i > 0 { out.write(byte: UInt8(ascii: " ")) }
            write(argument, to: out)
        }
    }

    /// ASCII letters, digits and `@%+=:,./_-`: bytes a POSIX shell reads literally in any position.
    @inlinable
    static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ":"),
            UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// The argv that runs a user-written shell command: `sh -c SCRIPT`. Gateway drivers and the plan both use it,
    /// so the plan shows the command line that really runs.
    public static func shell(_ script: String) -> [String] { ["sh", "-c", script] }
}
