/// Builders for the commands that lay out and switch releases on a host (Capistrano layout):
/// `ROOT/releases/VERSION/`, `ROOT/current -> releases/VERSION`, `ROOT/shared/`.
///
/// Every switch writes a fresh temporary symlink and renames it over `current` (`mv -T`), which is atomic:
/// a reader sees the old or the new release, never a missing link.
public struct ReleaseCommands: Sendable, Equatable {
    public var host: String
    public var root: String

    public init(host: String, root: String) {
        self.host = host
        self.root = root
    }

    public var releases: String { "\(root)/releases" }
    public var current: String { "\(root)/current" }
    public var shared: String { "\(root)/shared" }

    public func release(_ version: String) -> String { "\(releases)/\(version)" }

    /// Where an upload lands before it is checked and renamed into place.
    public func uploadDirectory(_ version: String) -> String { "\(releases)/.\(version).upload" }

    /// Creates the layout's directories.
    public func prepare() -> PlannedCommand {
        PlannedCommand(on: host, argv: ["mkdir", "-p", releases, shared])
    }

    /// Prints the release `current` points to (relative `releases/V`); fails harmlessly before the first release.
    public func readCurrent() -> PlannedCommand {
        PlannedCommand(on: host, argv: ["readlink", current], mayFail: true)
    }

    /// Clears a leftover partial upload, then creates the upload directory.
    public func beginUpload(_ version: String) -> [PlannedCommand] {
        [
            PlannedCommand(on: host, argv: ["rm", "-rf", "--", uploadDirectory(version)]),
            PlannedCommand(on: host, argv: ["mkdir", "-p", uploadDirectory(version)]),
        ]
    }

    /// Prints the SHA-256 of an uploaded file, to compare with the local digest.
    public func checksum(_ path: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["sha256sum", "--", path])
    }

    /// Moves the checked upload to its final name.
    public func finishUpload(_ version: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["mv", "-T", uploadDirectory(version), release(version)])
    }

    /// Points `current` at a release atomically: a temporary relative symlink renamed over `current`.
    /// Rolling a host back is `switchTo(previous)` (the release `readCurrent()` printed) and an agent restart.
    public func switchTo(_ version: String) -> [PlannedCommand] {
        let temporary = "\(root)/.current.\(version).tmp"
        return [
            PlannedCommand(on: host, argv: ["ln", "-sfn", "releases/\(version)", temporary]),
            PlannedCommand(on: host, argv: ["mv", "-T", temporary, current]),
        ]
    }

    /// Lists releases, newest first, for `ReleasePruning`.
    public func listReleases() -> PlannedCommand {
        PlannedCommand(on: host, argv: ["ls", "-1t", releases])
    }

    /// Deletes the given releases (names under `releases/`); nil when there is nothing to delete.
    public func delete(_ versions: [String]) -> PlannedCommand? {
        versions.isEmpty ? nil : PlannedCommand(on: host, argv: ["rm", "-rf", "--"] + versions.map(release))
    }
}

extension ReleaseCommands {
    /// Removes a release directory that did not verify (it is replaced, never trusted).
    public func remove(_ release: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["rm", "-rf", "--", release])
    }

    /// A directory of an artifact directory being uploaded, at its place in the upload.
    public func makeDirectory(_ path: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["mkdir", "-p", "--", path])
    }

    /// A symbolic link of an artifact directory being uploaded, pointing where the local one points.
    public func symlink(_ path: String, to target: String) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["ln", "-sfn", "--", target, path])
    }
}
