import Foundation
import RolloutConfig
import RolloutGateway
import RolloutTestSupport
import Testing

/// The HAProxy driver's own timeout on the admin socket, against a socket that accepts and never answers.
@Suite struct HAProxySocketTimeoutTests {
    @Test("a sub-second admin socket timeout ends a silent exchange with an error (it is not `no timeout`)")
    func subSecondTimeoutIsATimeout() async throws {
        let directory = try temporaryDirectory("haproxy-silent")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Listening, never accepting: the connect and the command succeed, the answer never comes.
        let listener = try TestListener.unix(path: directory + "/admin.sock")
        defer { listener.close() }
        let origin = ConfigOrigin(file: "test.yml", key: "gateway")
        let gateway = HAProxyGateway(
            socket: Template(literal: directory + "/admin.sock", origin: origin), address: nil,
            backend: Template(literal: "web", origin: origin), transport: .direct, render: renderer(hosts: ["s1"]),
            timeout: .milliseconds(300))
        let outcome = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    _ = try await gateway.status(GatewayTarget(host: "s1", server: "s1"))
                    return "answered"
                } catch {
                    return "error: \(error)"
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                // Resets the queued connection, so that a driver still waiting ends and the test with it.
                listener.close()
                return "still waiting after 20 s"
            }
            let first = try await group.next() ?? "nothing"
            group.cancelAll()
            return first
        }
        #expect(outcome.hasPrefix("error: "), "\(outcome)")
    }
}
