import Foundation

/// The documented output contract of a `status` command (the `command` driver, and nginx's `status`):
///
/// - a bare integer: the host's active connection count (the state is not reported: `unknown`);
/// - or one line `state=<in_rotation|draining|out> connections=<n>` (either key may be left out, keys in any
///   order, surrounding blank lines ignored).
///
/// Anything else is an error naming the command and what it printed.
public enum GatewayStatusOutput {
    /// Reads `output` of `command` into a state and connection count.
    public static func parse(_ output: String, command: String) throws -> (
        state: GatewayServerState, connections: Int?
    ) {
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        func unreadable(_ why: String) -> GatewayError {
            let shown = output.count > 300 ? String(output.prefix(300)) + "…" : output
            return GatewayError(
                .unreadableStatus,
                "the gateway status command `\(command)` printed \(shown.isEmpty ? "nothing" : "`\(shown)`"): \(why); "
                    + "it must print a bare connection count or `state=<in_rotation|draining|out> connections=<n>`")
        }
        guard lines.count == 1, let line = lines.first else {
            throw unreadable(lines.isEmpty ? "no status line" : "more than one line")
        }
        if let count = Int(line) {
            guard count >= 0 else { throw unreadable("a negative connection count") }
            return (.unknown, count)
        }
        var state: GatewayServerState?
        var connections: Int?
        for field in line.split(whereSeparator: \.isWhitespace) {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw unreadable("`\(field)` is not `key=value`") }
            switch pair[0] {
            case "state":
                guard let value = GatewayServerState(rawValue: pair[1]), value != .unknown else {
                    throw unreadable("state `\(pair[1])` is not one of in_rotation, draining, out")
                }
                state = value
            case "connections":
                guard let count = Int(pair[1]), count >= 0 else {
                    throw unreadable("connections `\(pair[1])` is not a non-negative integer")
                }
                connections = count
            default:
                throw unreadable("unknown key `\(pair[0])`")
            }
        }
        guard state != nil || connections != nil else { throw unreadable("neither state nor connections") }
        return (state ?? .unknown, connections)
    }
}
