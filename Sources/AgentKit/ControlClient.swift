import Foundation
import Glibc
import RolloutJSON

/// The client side of the control socket, used by `rollout-agent ctl`.
public enum ControlClient {
    /// Sends `request` to the agent at `socketPath` and waits (up to `timeoutSeconds`) for its answer.
    /// Returns the raw JSON line and its decoded form.
    public static func send(
        _ request: ControlRequest, socketPath: String, timeoutSeconds: Int
    ) throws -> (raw: String, response: ControlResponse) {
        let fd: Int32
        do {
            fd = try SocketAddress.connect(unixPath: socketPath, timeoutMilliseconds: timeoutSeconds * 1000)
        } catch let error as AgentError {
            throw AgentError(
                "ctl.unreachable", "cannot reach the agent at \(socketPath): \(error.message); is it running?")
        }
        defer { close(fd) }
        try SocketAddress.writeAll(fd, Array(try JSONValue.compactText(of: request).utf8) + [10])
        let bytes: [UInt8]
        do {
            bytes = try SocketAddress.readAll(fd)
        } catch {
            throw AgentError("ctl.timeout", "no answer from the agent within \(timeoutSeconds) s (\(error))")
        }
        let raw = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !raw.isEmpty else {
            throw AgentError("ctl.no-answer", "the agent closed the connection without an answer")
        }
        do {
            return (raw, try ControlResponse.decode(Data(raw.utf8)))
        } catch {
            throw AgentError("ctl.bad-answer", "unreadable answer from the agent: \(raw)")
        }
    }

    /// The documented exit status of `rollout-agent ctl` for an answer.
    public static func exitStatus(for response: ControlResponse) -> Int32 {
        switch response.outcome {
        case "ok": return 0
        case "failed": return 1
        case "refused": return 2
        default: return 64
        }
    }

    /// Exit status when no valid answer arrived.
    public static let unreachableStatus: Int32 = 3
}
