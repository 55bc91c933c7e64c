import Foundation

/// The one time format of the journal: UTC ISO-8601 text with milliseconds, `2026-11-22T02:07:28.123Z`.
///
/// Every timestamp column holds exactly this 24-character form, so text order is time order
/// (`ORDER BY started_at` and `<` comparisons are correct in SQL) and a human reading the database
/// with `sqlite3` sees real times. Times are rounded to the nearest millisecond; a value written and
/// read back compares equal to the rounded original. Years 0000–9999 only.
///
/// Formatting and parsing are hand-written rather than `ISO8601DateFormatter` because `rollout show`
/// on a 10,000-host rollout parses about 100,000 timestamps.
public enum JournalTime {
    private static let msPerDay: Int64 = 86_400_000

    /// `date` rounded to the nearest millisecond: the value the journal will give back after storing `date`.
    public static func rounded(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z, rounded to the nearest.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The journal text of `date`, e.g. `2026-11-22T02:07:28.123Z`.
    public static func string(from date: Date) -> String {
        let ms = milliseconds(date)
        var days = ms / msPerDay
        var msOfDay = ms % msPerDay
        if msOfDay < 0 {
            days -= 1
            msOfDay += msPerDay
        }
        let (year, month, day) = civil(fromDays: days)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ value: Int64, width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var rest = value
            for index in stride(from: width - 1, through: 0, by: -1) {
                digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: digits)
        }
        put(year, width: 4)
        out.append(UInt8(ascii: "-"))
        put(month, width: 2)
        out.append(UInt8(ascii: "-"))
        put(day, width: 2)
        out.append(UInt8(ascii: "T"))
        put(msOfDay / 3_600_000, width: 2)
        out.append(UInt8(ascii: ":"))
        put(msOfDay / 60_000 % 60, width: 2)
        out.append(UInt8(ascii: ":"))
        put(msOfDay / 1000 % 60, width: 2)
        out.append(UInt8(ascii: "."))
        put(msOfDay % 1000, width: 3)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses the journal text form; nil for anything else (wrong length, separators, or field ranges).
    public static func date(from text: String) -> Date? {
        var text = text
        return text.withUTF8(parse)
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
            bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A
        else { return nil }
        var fields: (Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0)
        var value: Int64 = 0
        var field = 0
        for index in 0..<23 {
            let byte = bytes[index]
            if byte >= 0x30, byte <= 0x39 {
                value = value * 10 + Int64(byte &- 0x30)
                continue
            }
            // A separator (positions checked above) ends a field; any other byte is invalid.
            guard index == 4 || index == 7 || index == 10 || index == 13 || index == 16 || index == 19 else {
                return nil
            }
            switch field {
            case 0: fields.0 = value
            case 1: fields.1 = value
            case 2: fields.2 = value
            case 3: fields.3 = value
            case 4: fields.4 = value
            default: fields.5 = value
            }
            field += 1
            value = 0
        }
        fields.6 = value
        let (year, month, day, hour, minute, second, milli) = fields
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else {
            return nil
        }
        let days = days(fromCivil: year, month, day)
        // Reject dates such as February 30 that would silently roll into the next month.
        guard day <= 28 || civil(fromDays: days) == (year, month, day) else { return nil }
        let ms = days * msPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + milli
        return Date(timeIntervalSince1970: Double(ms) / 1000)
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }
}
