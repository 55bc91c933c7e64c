import RolloutConfig

/// Splits hosts into batches the way Ansible's `serial` does.
public enum Batching {
    /// Batch sizes for `count` hosts under a `serial` list, following Ansible's `_get_serialized_batches`:
    /// each item is a count or a percentage of `percentBase` hosts (`int(base * pct / 100)`, at least 1); when
    /// the list runs out, its last item repeats; the last batch takes what is left. `ceiling` (from
    /// `max_unavailable`) caps every item.
    public static func serialSizes(count: Int, serial: [Quantity], percentBase: Int? = nil, ceiling: Int? = nil)
        -> [Int]
    {
        let base = percentBase ?? count
        let items = serial.isEmpty ? [Quantity.count(count)] : serial
        var sizes: [Int] = []
        var remaining = count
        var index = 0
        while remaining > 0 {
            var size = items[index].absolute(of: base)
            if let ceiling { size = min(size, ceiling) }
            if size <= 0 { size = remaining }  // Ansible: a non-positive serial means "all the rest"
            let taken = min(size, remaining)
            sizes.append(taken)
            remaining -= taken
            index = min(index + 1, items.count - 1)
        }
        return sizes
    }

    /// Cuts `items` into consecutive chunks of the given sizes.
    public static func split<T>(_ items: [T], sizes: [Int]) -> [[T]] {
        var chunks: [[T]] = []
        var start = 0
        for size in sizes where start < items.count {
            chunks.append(Array(items[start..<min(start + size, items.count)]))
            start += size
        }
        return chunks
    }
}

/// The failure budget as an absolute number of hosts.
public struct FailureBudget: Sendable, Equatable {
    /// How many hosts may fail; the rollout stops when the number of failed hosts exceeds it.
    public var maxFailures: Int
    public var setting: Quantity
    public var totalHosts: Int

    /// A count is taken as is; a percentage is `int(total * pct / 100)`, rounded down, and may be 0.
    public init(_ setting: Quantity, totalHosts: Int) {
        self.setting = setting
        self.totalHosts = totalHosts
        self.maxFailures = setting.absolute(of: totalHosts, minimum: 0)
    }

    /// Whether a rollout with `failed` failed hosts must stop.
    public func isExceeded(failed: Int) -> Bool { failed > maxFailures }

    /// The rule in words, as the plan and README state it.
    public var rule: String {
        "the rollout stops when more than \(maxFailures) host\(maxFailures == 1 ? "" : "s") failed "
            + "(at the \(ordinal(maxFailures + 1)) failure)"
    }

    private func ordinal(_ n: Int) -> String {
        let suffix =
            (11...13).contains(n % 100) ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th"
        return "\(n)\(suffix)"
    }
}
