import Foundation

/// How to read a host's active connection count from a gateway's status command, and the reading itself.
public enum ConnectionCount: Sendable, Equatable {
    /// HAProxy `show stat` CSV: the `scur` column of the row `backend,server`.
    case haproxyStat(backend: String, server: String)
    /// `ipvsadm -L -n` output: the `ActiveConn` column of the real server's `->` line.
    case ipvsadm(realServer: String)
    /// The whole output is one integer (user-supplied `status` commands).
    case number

    /// The count in `output`, or nil when the output does not contain it (the engine then keeps waiting
    /// until the drain deadline rather than guessing).
    public func read(_ output: String) -> Int? {
        switch self {
        case .number:
            return Int(output.trimmingCharacters(in: .whitespacesAndNewlines))
        case .haproxyStat(let backend, let server):
            let lines = output.split(whereSeparator: \.isNewline)
            guard let header = lines.first(where: { $0.hasPrefix("# ") }) else { return nil }
            let columns = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false)
            guard let scur = columns.firstIndex(of: "scur") else { return nil }
            for line in lines where !line.hasPrefix("#") {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                if fields.count > scur, fields[0] == backend, fields[1] == server { return Int(fields[scur]) }
            }
            return nil
        case .ipvsadm(let realServer):
            for line in output.split(whereSeparator: \.isNewline) {
                let fields = line.split(whereSeparator: \.isWhitespace)
                // `  -> 10.0.1.5:8080  Route  1  0  0`: address, forward method, weight, ActiveConn, InActConn.
                if fields.count >= 6, fields[0] == "->", fields[1] == realServer { return Int(fields[4]) }
            }
            return nil
        }
    }

    /// As the plan's JSON shows it.
    var json: JSONValue {
        switch self {
        case .haproxyStat(let backend, let server):
            return .object([
                ("format", .string("haproxy-stat")), ("backend", .string(backend)), ("server", .string(server)),
            ])
        case .ipvsadm(let realServer):
            return .object([("format", .string("ipvsadm")), ("real_server", .string(realServer))])
        case .number:
            return .object([("format", .string("number"))])
        }
    }
}
