/// A small deterministic generator (SplitMix64): the same seed and host give the same delays and failures on
/// every run, whatever else runs concurrently.
struct SimulationRandom: Sendable {
    private var state: UInt64

    /// A stream for one host of a simulation: the seed mixed with the host's name (FNV-1a).
    init(seed: UInt64, host: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in host.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        state = seed ^ hash
    }

    mutating func next() -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in `range`, to the nanosecond.
    mutating func duration(in range: ClosedRange<Duration>) -> Duration {
        let low = range.lowerBound.nanoseconds, high = range.upperBound.nanoseconds
        guard high > low else { return range.lowerBound }
        return .nanoseconds(low + Int64(next() % UInt64(high - low + 1)))
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
