import RolloutText

/// Builders for the commands that switch configuration files on a host (the `reload` strategy).
///
/// Beside each destination live two hidden names in the same directory (so every rename stays on one
/// filesystem): `.NAME.rollout-new`, the uploaded and verified file waiting to be validated and switched, and
/// `.NAME.rollout-prev`, a hard link to the version it replaced (the restore target). The switch itself is one
/// `rename(2)` (`mv -T`): a reader sees the old file or the new one, never a partial one.
public enum ConfigCommands {
    /// The temporary and backup names for a destination path.
    public static func names(for destination: String) -> (temporary: String, backup: String) {
        let slash = destination.lastIndex(of: "/").map { destination.index(after: $0) } ?? destination.startIndex
        let directory = String(destination[..<slash])
        let name = String(destination[slash...])
        return ("\(directory).\(name).rollout-new", "\(directory).\(name).rollout-prev")
    }

    /// Creates the directories the files go to.
    public static func prepare(host: String, directories: [String]) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["mkdir", "-p", "--"] + directories)
    }

    /// Fails unless `current` is a release symlink: `mkdir -p` below a missing `current` would create a real
    /// directory there, which no later release switch could replace.
    public static func requireRelease(host: String, current: String) -> PlannedCommand {
        let check = #"test -L "$1" || { echo "$1 is not a release link: deploy a release first" >&2; exit 1; }"#
        return PlannedCommand(on: host, argv: ["sh", "-c", check, "sh", current])
    }

    /// Deletes uploaded files that were not switched (a refused configuration leaves nothing behind).
    public static func discard(host: String, _ files: [PlannedConfigFile]) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["rm", "-f", "--"] + files.map(\.temporary))
    }

    /// Keeps the live file as the backup (a hard link to the same inode), or records that there was none by
    /// removing an older backup; then renames the new file over the destination.
    public static func switchFile(_ file: PlannedConfigFile) -> [PlannedCommand] {
        let host = file.host
        let keep = #"if [ -e "$1" ]; then ln -f -- "$1" "$2"; else rm -f -- "$2"; fi"#
        return [
            PlannedCommand(on: host, argv: ["sh", "-c", keep, "sh", file.destination, file.backup]),
            PlannedCommand(on: host, argv: ["mv", "-T", "--", file.temporary, file.destination]),
        ]
    }

    /// Puts the backup back atomically (a fresh link renamed over the destination), or removes the file when
    /// there was none before.
    public static func restoreFile(_ file: PlannedConfigFile) -> PlannedCommand {
        let host = file.host
        let restore =
            #"if [ -e "$2" ]; then ln -f -- "$2" "$3" && mv -T -- "$3" "$1"; else rm -f -- "$1"; fi"#
        return PlannedCommand(
            on: host, argv: ["sh", "-c", restore, "sh", file.destination, file.backup, file.temporary])
    }

    /// The validation command with `{file}` replaced by the uploaded temporary file (quoted for the shell).
    public static func validate(host: String, script: String, temporary: String, timeout: Duration) -> PlannedCommand {
        .shell(
            script.replacingOccurrences(of: "{file}", with: ShellQuote.quote(temporary)), on: host, timeout: timeout)
    }
}

/// One configuration file as it will be deployed on one host.
public struct PlannedConfigFile: Sendable, Equatable {
    public var host: String
    /// The local template or file, as the playbook names it.
    public var source: String
    /// `template` or `copy`.
    public var kind: String
    /// The absolute path on the host (`<root>/shared/...` or `<root>/current/...`).
    public var destination: String
    public var temporary: String
    public var backup: String
    /// The rendered bytes.
    public var content: [UInt8]
    public var sha256: String
    public var mode: UInt32
    /// Run against `temporary` before anything is switched.
    public var validate: PlannedCommand?

    public init(
        host: String, source: String, kind: String, destination: String, content: [UInt8], mode: UInt32,
        validate: PlannedCommand?
    ) {
        self.host = host
        self.source = source
        self.kind = kind
        self.destination = destination
        (temporary, backup) = ConfigCommands.names(for: destination)
        self.content = content
        self.sha256 = Digest.sha256Hex(content)
        self.mode = mode
        self.validate = validate
    }

    /// The mode as four octal digits (`0644`).
    public var modeText: String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
