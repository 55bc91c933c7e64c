import Foundation

/// A point in time an operation must finish by; `nil` instant means no limit.
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant?

    static let never = Deadline(instant: nil)

    static func after(_ duration: Duration?) -> Deadline {
        Deadline(instant: duration.map { ContinuousClock.now + $0 })
    }

    var hasPassed: Bool { instant.map { ContinuousClock.now >= $0 } ?? false }

    /// The remaining time as a `poll` timeout in milliseconds, capped at `cap` (-1 = no limit).
    func pollTimeout(cap: Int32 = 1000) -> Int32 {
        guard let instant else { return cap }
        let remaining = instant - ContinuousClock.now
        if remaining <= .zero { return 0 }
        let ms = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(min(Int64(cap < 0 ? Int32.max : cap), ms))
    }

    /// The tighter of two deadlines.
    func earlier(_ other: Deadline) -> Deadline {
        switch (instant, other.instant) {
        case (nil, _): return other
        case (_, nil): return self
        case (let a?, let b?): return Deadline(instant: min(a, b))
        }
    }
}

extension Duration {
    /// Human form for messages: `10s`, `1.5s`, `250ms`.
    var shortDescription: String {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return ms < 1000 ? "\(ms)ms" : String(format: "%.1fs", Double(ms) / 1000)
    }
}
