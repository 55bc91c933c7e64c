import Foundation
import RolloutJSON

/// Who and where a controller runs: journaled with each rollout and as the owner of a lock.
public struct ControllerIdentity: Codable, Sendable, Hashable {
    /// The user name (`$USER`, else the password database entry of the effective uid).
    public var user: String
    /// The host name as `gethostname(2)` reports it; compared verbatim to decide "same host" for locks.
    public var host: String
    public var pid: Int32
    /// The CI job when run from CI (e.g. `github:1234/5`), detected by the CLI from the environment.
    public var ciJob: String?

    public init(user: String, host: String, pid: Int32, ciJob: String? = nil) {
        self.user = user
        self.host = host
        self.pid = pid
        self.ciJob = ciJob
    }

    /// The identity of this process, with the CI job the caller detected.
    public static func current(ciJob: String? = nil) -> ControllerIdentity {
        ControllerIdentity(user: currentUser(), host: currentHostName(), pid: getpid(), ciJob: ciJob)
    }

    /// "alice@build-7 pid 4242 (CI github:123/1/deploy)".
    public var displayName: String {
        var text = "\(user)@\(host) pid \(pid)"
        if let ciJob { text += " (CI \(ciJob))" }
        return text
    }

    /// The identity as event detail: `{"user", "host", "pid", "ci_job"}`.
    var journalJSON: JSONValue { .object(journalMembers) }

    var journalMembers: [String: JSONValue] {
        [
            "user": .string(user), "host": .string(host), "pid": .int(Int64(pid)),
            "ci_job": ciJob.map(JSONValue.string) ?? .null,
        ]
    }

    /// `gethostname(2)`, the value lock owners are compared by.
    public static func currentHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func currentUser() -> String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(geteuid())"
    }

    enum CodingKeys: String, CodingKey {
        case user, host, pid
        case ciJob = "ci_job"
    }
}
