import Foundation
import Glibc

/// Watches directory trees with Linux inotify: one watch per directory, added for every directory that is not
/// ignored (reading each `.gitignore` on the way down) and for every new one as it appears. `readChanges()` returns
/// the files that changed since the last call, relative to the working directory and filtered by `WatchFilter`.
///
/// A change is a file closed after writing, created, moved in or out, or deleted (editors that save by rename are
/// seen through the move). When the kernel's queue overflowed, `overflowed` is set: changes may have been lost.
public final class FileWatcher {
    public let fd: Int32
    public private(set) var filter: WatchFilter
    private let root: String
    private var directories: [Int32: String] = [:]
    public private(set) var overflowed = false

    private static let mask: UInt32 =
        UInt32(IN_CLOSE_WRITE) | UInt32(IN_CREATE) | UInt32(IN_MOVED_TO) | UInt32(IN_MOVED_FROM)
        | UInt32(IN_DELETE) | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)

    /// Watches `paths` (directories, relative to `root`, the working directory).
    public init(root: String, paths: [String], filter: WatchFilter) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw DevError("inotify_init1 failed: \(String(cString: strerror(errno)))") }
        self.root = root
        self.filter = filter
        do {
            for path in paths {
                let relative = Self.normalize(path)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: absolute(relative), isDirectory: &isDirectory),
                    isDirectory.boolValue
                else { throw DevError("--watch \(path): not a directory") }
                _ = try watchTree(relative)
            }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// How many directories are watched.
    public var watchedCount: Int { directories.count }

    /// The files changed since the last call (events already queued by the kernel).
    public func readChanges() -> [String] {
        var changed: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var offset = 0
            while offset + 16 <= count {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                    (
                        raw.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                        raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                        Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    )
                }
                let nameBytes = buffer[(offset + 16)..<min(offset + 16 + length, count)].prefix { $0 != 0 }
                offset += 16 + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    overflowed = true
                    continue
                }
                if mask & UInt32(IN_IGNORED) != 0 {
                    directories[wd] = nil
                    continue
                }
                guard let directory = directories[wd], !nameBytes.isEmpty else { continue }
                let name = String(decoding: nameBytes, as: UTF8.self)
                let path = directory.isEmpty ? name : "\(directory)/\(name)"
                if mask & UInt32(IN_ISDIR) != 0 {
                    // A new directory (created or moved in): watch it and count the files already in it.
                    if mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0,
                        !filter.isIgnored(path, isDirectory: true)
                    {
                        changed += (try? watchTree(path)) ?? []
                    }
                    continue
                }
                if name == ".gitignore" { readGitignore(in: directory) }
                if filter.counts(path) { changed.append(path) }
            }
        }
        return changed
    }

    /// Clears `overflowed` and returns whether it was set.
    public func takeOverflow() -> Bool {
        defer { overflowed = false }
        return overflowed
    }

    /// Watches `directory` and every directory below it that is not ignored; returns the files found (for a
    /// directory that appeared while running: they are changes).
    private func watchTree(_ directory: String) throws -> [String] {
        readGitignore(in: directory)
        let wd = inotify_add_watch(fd, absolute(directory), Self.mask)
        guard wd >= 0 else {
            if errno == ENOSPC {
                throw DevError(
                    "cannot watch \(absolute(directory)): the inotify watch limit is reached "
                        + "(fs.inotify.max_user_watches); exclude large directories with --exclude or raise the limit")
            }
            return []  // gone meanwhile, or unreadable: nothing to watch there
        }
        directories[wd] = directory
        var files: [String] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: absolute(directory))) ?? []
        for entry in entries.sorted() {
            let path = directory.isEmpty ? entry : "\(directory)/\(entry)"
            var info = stat()
            guard lstat(absolute(path), &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                if !filter.isIgnored(path, isDirectory: true) { files += try watchTree(path) }
            } else if filter.counts(path) {
                files.append(path)
            }
        }
        return files
    }

    private func readGitignore(in directory: String) {
        let path = absolute(directory.isEmpty ? ".gitignore" : "\(directory)/.gitignore")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        filter.addGitignore(text, in: directory)
    }

    private func absolute(_ relative: String) -> String {
        relative.isEmpty ? root : "\(root)/\(relative)"
    }

    /// `./src/` → `src`; `.` → "" (the working directory itself).
    static func normalize(_ path: String) -> String {
        var parts = path.split(separator: "/").map(String.init).filter { $0 != "." }
        while parts.last == "" { parts.removeLast() }
        return parts.joined(separator: "/")
    }
}
