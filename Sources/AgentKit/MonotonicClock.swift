import Foundation
import Glibc

/// Milliseconds on CLOCK_MONOTONIC: deadlines and durations never jump with the wall clock.
public enum MonotonicClock {
    /// Milliseconds since an arbitrary point (boot), never going back.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// An ISO-8601 UTC timestamp with milliseconds, for status output and log lines.
    static func wallTimestamp(_ date: Date = Date()) -> String {
        date.formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }
}
