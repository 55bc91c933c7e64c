import RolloutText

/// Read-only questions the engine asks a host before it acts (is the release there, what is the file's digest): they
/// change nothing, and a non-zero exit is an answer ("not there"), not a failure. Built here like every other remote
/// command, quoted by `ShellQuote` when run.
public enum HostProbes {
    /// `sha256sum -- PATH`: the digest in the first word of its output; fails when there is no such file.
    public static func sha256(of path: String, on host: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["sha256sum", "--", path], mayFail: true)
    }

    /// `test -e PATH`: 0 when something is there, 1 when nothing is.
    public static func exists(_ path: String, on host: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["test", "-e", path], mayFail: true)
    }

    /// `test -d PATH`: 0 for a directory.
    public static func isDirectory(_ path: String, on host: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["test", "-d", path], mayFail: true)
    }

    /// `cat -- PATH`: the file's text; fails when there is no such file.
    public static func contents(of path: String, on host: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["cat", "--", path], mayFail: true)
    }
}
