/// The digest of a directory artifact as it is on a host, computed there: the SHA-256 of the same manifest
/// `ArtifactInfo.inspect` digests locally (one line `<sha256>  <relative path>` per regular file, `-> <target>
/// <relative path>` per symlink, sorted by path in byte order), so that a directory release is trusted only when
/// every file's content, name and link target is the one uploaded.
public enum ReleaseManifest {
    static let script = """
        cd -- "$1" || exit 1
        find . -mindepth 1 \\( -type f -o -type l \\) | LC_ALL=C sort | while IFS= read -r p; do
          r=${p#./}
          if [ -L "$p" ]; then printf -- '-> %s  %s\\n' "$(readlink -- "$p")" "$r"
          else printf '%s  %s\\n' "$(sha256sum < "$p" | cut -d' ' -f1)" "$r"; fi
        done | sha256sum | cut -d' ' -f1
        """

    /// Prints the manifest digest of `directory` on `host` (64 hex digits); fails when it is not a directory.
    public static func digest(of directory: String, on host: String, timeout: Duration? = nil) -> PlannedCommand {
        PlannedCommand(on: host, argv: ["sh", "-c", script, "sh", directory], timeout: timeout)
    }
}
