extension GatewayServerState {
    /// True only for `in_rotation`: the server takes new connections.
    public var isInRotation: Bool { self == .inRotation }
}

extension GatewayServerStatus {
    /// True when the gateway confirmed the server takes no new connections (`draining` or `out`).
    public var isOutOfRotation: Bool { state == .draining || state == .out }
}
