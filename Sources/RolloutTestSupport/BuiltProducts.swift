import Foundation

/// Locates the package's built executables and the system tools the tests drive.
///
/// Tests run real binaries: the ones this package builds (found next to the test bundle) and
/// system tools such as `sshd` or `haproxy`. A missing one is an error that says how to get it,
/// never a skipped test.
public enum BuiltProducts {
    /// The build directory that holds the test bundle and the package's executables.
    public static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The path of one of this package's executables (`rollout`, `rollout-agent`, ...).
    public static func executable(_ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSupportError("built product '\(name)' not found at \(path); run `swift build --build-tests` first")
        }
        return path
    }

    /// The absolute path of a system tool, searched in `PATH` and the sbin directories.
    public static func tool(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/local/sbin"]
        for dir in dirs {
            let candidate = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestSupportError("required tool '\(name)' is not installed; scripts/install-deps installs it")
    }
}

/// An error raised by the test fixtures, with a message that says what to do.
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
