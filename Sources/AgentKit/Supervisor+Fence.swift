import Foundation

extension Supervisor {
    /// Checks a request's fencing token against the highest this service's agents have seen (``FenceRecord``, read
    /// from disk each time: it is shared with any agent that ran the service before this one). A lower token is
    /// refused; a higher one is recorded durably before the request is carried out. Returns the answer when the
    /// request must not go on, nil when it may.
    func admitFence(_ request: ControlRequest, from connection: ControlConnection) -> ControlResponse? {
        guard let fence = request.fence else { return nil }
        let path = FenceRecord.path(for: config)
        let highest: Int64?
        do {
            highest = try FenceRecord.highest(path: path)
        } catch {
            agentLog("\(request.command) with fencing token \(fence) refused: \(error)")
            return ControlResponse(command: request.command, outcome: "failed", reason: "\(error); nothing was done")
        }
        switch FenceCheck.decide(requested: fence, highest: highest, service: config.service, command: request.command)
        {
        case .refuse(let reason):
            agentLog("\(request.command) refused: \(reason)")
            var response = ControlResponse.refused(request.command, reason)
            response.fence = fence
            response.highestFence = highest
            return response
        case .admit(let record):
            if let record {
                do {
                    try FenceRecord.record(record, service: config.service, path: path)
                } catch {
                    return ControlResponse(
                        command: request.command, outcome: "failed",
                        reason: "cannot record fencing token \(record) in \(path): \(error); nothing was done")
                }
                agentLog("fencing token \(record) recorded (was \(highest.map(String.init) ?? "none"))")
            }
            connection.highestFence = record ?? highest
            return nil
        }
    }
}
