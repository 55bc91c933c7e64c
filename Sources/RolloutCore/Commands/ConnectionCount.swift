import RolloutJSON

/// Where a gateway driver reads a host's active connection count, as the plan shows it.
public enum ConnectionCount: Sendable, Equatable {
    /// HAProxy `show stat` CSV: the `scur` column of the row `backend,server`.
    case haproxyStat(backend: String, server: String)
    /// `ipvsadm -L -n` output: the `ActiveConn` column of the real server's `->` line.
    case ipvsadm(realServer: String)
    /// The whole output is one integer (user-supplied `status` commands).
    case number

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
