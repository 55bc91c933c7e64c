import Crypto
import Foundation
import RolloutConfig

/// What will be uploaded: the local file or directory, its size and its SHA-256.
///
/// A directory's digest is the SHA-256 of its manifest: one line `<sha256 of file>  <relative path>` per
/// regular file (symlinks as `-> <target>  <path>`), sorted by path, so it changes exactly when a file's
/// content, name or link target changes.
public struct ArtifactInfo: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case file, directory
    }

    /// The path as written in the playbook.
    public var path: String
    public var kind: Kind
    /// Total bytes of regular files.
    public var size: Int64
    public var sha256: String

    public init(path: String, kind: Kind, size: Int64, sha256: String) {
        self.path = path
        self.kind = kind
        self.size = size
        self.sha256 = sha256
    }

    /// Reads the artifact at `path` (relative to `baseDirectory`) and digests it. Throws a `ConfigError`
    /// located at the playbook's `artifact.path` when it is missing, unreadable or over `artifact.max_size`.
    public static func inspect(_ spec: ArtifactSpec, playbookFile: String, baseDirectory: String) throws -> ArtifactInfo
    {
        let origin = ConfigOrigin(file: playbookFile, key: "artifact.path")
        let full = spec.path.hasPrefix("/") ? spec.path : (baseDirectory as NSString).appendingPathComponent(spec.path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else {
            throw origin.error(.fileNotFound, "the artifact `\(spec.path)` does not exist (build it first)")
        }
        let info: ArtifactInfo
        if isDirectory.boolValue {
            var manifest = ""
            var size: Int64 = 0
            let listing = try? FileManager.default.subpathsOfDirectory(atPath: full)
            guard let listing else { throw origin.error(.fileNotFound, "cannot list the directory `\(spec.path)`") }
            for relative in listing.sorted() {
                let item = (full as NSString).appendingPathComponent(relative)
                if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: item) {
                    manifest += "-> \(target)  \(relative)\n"
                    continue
                }
                var dir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: item, isDirectory: &dir), !dir.boolValue else { continue }
                let (digest, bytes) = try digestFile(item, origin: origin)
                manifest += "\(digest)  \(relative)\n"
                size += bytes
            }
            info = ArtifactInfo(path: spec.path, kind: .directory, size: size, sha256: Digest.sha256Hex(Array(manifest.utf8)))
        } else {
            let (digest, bytes) = try digestFile(full, origin: origin)
            info = ArtifactInfo(path: spec.path, kind: .file, size: bytes, sha256: digest)
        }
        if let max = spec.maxSize, info.size > max {
            throw ConfigError(
                .invalidValue, file: playbookFile, key: "artifact.max_size",
                message: "the artifact is \(info.size) bytes, more than the allowed \(max)")
        }
        return info
    }

    /// The SHA-256 and size of one file, read in chunks.
    static func digestFile(_ path: String, origin: ConfigOrigin) throws -> (String, Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw origin.error(.fileNotFound, "cannot read `\(path)`")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += Int64(chunk.count)
        }
        return (hasher.finalize().hexString, size)
    }
}
