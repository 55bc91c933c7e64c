import RolloutConfig

/// Splits hosts into batches the way Ansible's `serial` does.
public enum Batching {
    /// Batch sizes for `count` hosts under a `serial` list, following Ansible's `_get_serialized_batches`:
    /// each item is a count or a percentage of `percentBase` hosts (`int((pct / 100.0) * base)`, in floating
    /// point as Ansible computes it, at least 1); when the list runs out, its last item repeats; the last batch
    /// takes what is left. `ceiling` (from `max_unavailable`) caps every item.
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
