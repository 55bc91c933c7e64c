import Foundation
import RolloutTestSupport
import Testing

/// A host's sshd sessions frozen with SIGSTOP: the controller's connection stays open but no command on the host
/// answers, so a phase that starts then cannot finish. The listener and the host's agent (started through a
/// session, then detached) keep running.
final class FrozenSessions {
    private var pids: [pid_t]

    init(_ host: SSHClusterHost) throws {
        pids = ProcessTree.descendants(of: host.pid).filter { pid in
            let command = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            return !command.contains("rollout-agent") && !command.contains("rollout-demo-service")
        }
        guard !pids.isEmpty else { throw TestSupportError("\(host.name) has no sshd session to freeze") }
        for pid in pids { kill(pid, SIGSTOP) }
    }

    /// Lets them go on (idempotent).
    func thaw() {
        for pid in pids { kill(pid, SIGCONT) }
        pids = []
    }

    deinit { thaw() }
}

/// A `GET /slow` request through HAProxy's frontend that landed on a chosen server and is still unanswered: while
/// it runs, HAProxy counts a session on that server, so a drain of it waits.
final class HeldRequest {
    private let client: HTTPTestClient

    /// Sends `/slow?ms=` requests until one is on `server` (as HAProxy's `show sess` says); closes the others.
    init(through haproxy: HAProxyFixture, server: String, milliseconds: Int, attempts: Int = 20) throws {
        for _ in 0..<attempts {
            let client = try HTTPTestClient(haproxy.frontend)
            try client.send("/slow?ms=\(milliseconds)")
            let port = try #require(client.localPort)
            let deadline = ContinuousClock.now + .seconds(5)
            var landed: String?
            while landed == nil && ContinuousClock.now < deadline {
                let sessions = (try? haproxy.adminCommand("show sess")) ?? ""
                landed = sessions.split(separator: "\n").first { $0.contains("src=127.0.0.1:\(port) ") }
                    .flatMap { line in line.split(separator: " ").first { $0.hasPrefix("srv=") }?.dropFirst(4) }
                    .map(String.init)
                if landed == "<none>" { landed = nil }
                if landed == nil { Thread.sleep(forTimeInterval: 0.02) }
            }
            if landed == server {
                self.client = client
                return
            }
        }
        throw TestSupportError("no /slow request landed on \(server) in \(attempts) attempts")
    }

    /// True while no byte of the answer has arrived.
    var isUnanswered: Bool { !client.isClosedByServer }
}
