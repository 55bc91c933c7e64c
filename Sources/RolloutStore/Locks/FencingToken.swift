import Foundation

/// Fencing tokens: every acquisition of a fleet's lock gets one, strictly greater than every token issued before for
/// that lock key by the same journal, and never reused (the last one is kept when the lock row goes away).
///
/// A token is also at least the acquisition time in Unix microseconds, so that tokens issued by *different* journals
/// (two controllers that do not share their state) are ordered by when they were issued. That order is right as long
/// as the clocks of the two controllers differ by less than the time between the two acquisitions; a journal whose
/// clock runs ahead issues tokens that stay ahead. Within one journal the order holds whatever the clocks do.
public enum FencingToken {
    /// The token of an acquisition at `now`, after `last` (the last token this journal issued for the key).
    public static func next(after last: Int64?, now: Date) -> Int64 {
        let micros = Int64((now.timeIntervalSince1970 * 1_000_000).rounded(.down))
        guard let last else { return max(1, micros) }
        return last == .max ? .max : max(last + 1, micros)
    }
}
