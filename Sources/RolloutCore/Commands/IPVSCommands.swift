/// The `ipvsadm` command lines of the LVS driver for one virtual service: the one source for both the driver
/// (`RolloutGateway`) and the plan.
public struct IPVSCommands: Sendable, Equatable {
    /// `TCP` or `UDP`, as `ipvsadm -L -n` prints it.
    public var protocolName: String
    /// `VIP:PORT`.
    public var address: String
    /// The playbook's `tcp:VIP:PORT`.
    public var text: String
    /// The command, e.g. `sudo ipvsadm` when the gateway user is not root.
    public var ipvsadm: [String]

    /// Nil unless `virtualService` is `tcp:VIP:PORT` or `udp:VIP:PORT`.
    public init?(virtualService: String, ipvsadm: [String] = ["ipvsadm"]) {
        let parts = virtualService.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["tcp", "udp"].contains(parts[0].lowercased()), parts[1].contains(":") else {
            return nil
        }
        protocolName = parts[0].uppercased()
        address = parts[1]
        text = virtualService
        self.ipvsadm = ipvsadm
    }

    /// `-t` or `-u`.
    public var flag: String { protocolName == "UDP" ? "-u" : "-t" }

    /// `ipvsadm -L -n -t VIP:PORT`: the service's real servers with weight, ActiveConn and InActConn.
    public func list() -> [String] { ipvsadm + ["-L", "-n", flag, address] }

    /// `ipvsadm -e -t VIP:PORT -r RS:PORT -w WEIGHT` (weight 0 quiesces: established connections go on).
    public func edit(realServer: String, weight: Int) -> [String] {
        ipvsadm + ["-e", flag, address, "-r", realServer, "-w", String(weight)]
    }
}
