import Foundation

/// What one start of the service needs, resolved from the config at that moment.
struct LaunchPlan {
    var executable: String
    var arguments: [String]
    var environment: [String]
    var workingDirectory: String?
    var identity: UserLookup.Identity?
    /// The resolved release directory (`release_link`'s target) and its last component.
    var release: String?
    var version: String?

    /// Resolves `config` now: `release_link`, `{release}` substitution, the executable in PATH.
    ///
    /// `pinned` (a release directory) replaces `release_link`'s target: `{release}` and every path through
    /// `release_link` name it instead, so a cold restart can start the previous release again after
    /// `current` already points at the new one.
    static func resolve(
        _ config: AgentConfig, agentEnvironment: [String: String], release pinned: String? = nil
    ) throws -> LaunchPlan {
        var release: String?
        if let pinned {
            release = pinned
        } else if let link = config.releaseLink {
            guard let resolved = realpath(link, nil) else {
                throw AgentError(
                    "launch.release", "release_link \(link) does not resolve: \(String(cString: strerror(errno)))")
            }
            release = String(cString: resolved)
            free(resolved)
        }
        func substitute(_ text: String) -> String {
            guard let release else { return text }
            var text = text.replacingOccurrences(of: "{release}", with: release)
            if pinned != nil, let link = config.releaseLink {
                if text == link {
                    text = release
                } else if text.hasPrefix(link + "/") {
                    text = release + text.dropFirst(link.count)
                }
            }
            return text
        }
        let argv = config.command.map(substitute)
        let identity = try config.user.map { try UserLookup.user($0, group: config.group) }
        var env: [String: String] = [:]
        for key in ["PATH", "LANG", "LC_ALL", "TZ", "HOME", "USER", "LOGNAME"] { env[key] = agentEnvironment[key] }
        env["PATH"] = env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        if let identity, let user = config.user {
            env["HOME"] = identity.home
            env["USER"] = user
            env["LOGNAME"] = user
        }
        for (key, value) in config.environment { env[key] = substitute(value) }
        let executable = try findExecutable(argv[0], path: env["PATH"] ?? "")
        return LaunchPlan(
            executable: executable, arguments: argv,
            environment: env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            workingDirectory: config.workingDirectory.map(substitute), identity: identity,
            release: release, version: release.map { ($0 as NSString).lastPathComponent })
    }

    private static func findExecutable(_ name: String, path: String) throws -> String {
        if name.contains("/") {
            guard access(name, X_OK) == 0 else {
                throw AgentError(
                    "launch.command", "\(name) is not an executable file: \(String(cString: strerror(errno)))")
            }
            return name
        }
        for dir in path.split(separator: ":") where access("\(dir)/\(name)", X_OK) == 0 { return "\(dir)/\(name)" }
        throw AgentError("launch.command", "\(name) was not found in PATH \(path)")
    }
}
