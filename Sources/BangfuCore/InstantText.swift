import Foundation

/// Instants as ISO 8601 text with a zone's offset, e.g. `2027-02-19T00:00:00+08:00`.
///
/// Done with integer arithmetic: creating a formatter per call cost more than the rest of a case
/// read, and a shared formatter is not safe across threads.
public enum InstantText {
    /// Whole seconds (fractions dropped), the zone's offset at that instant, `Z` for UTC.
    public static func iso8601(_ d: Date, zone: BusinessZone) -> String {
        let (date, secs, offset) = zone.local(d)
        // Written digit by digit into one buffer: string interpolation of eight parts cost as much
        // as the rest of a case's rows.
        var text: [UInt8] = []
        text.reserveCapacity(32)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        // Years as plain numbers, as before (four digits for all years bangfu keeps).
        if (1000...9999).contains(date.year) {
            digits(date.year, 4)
        } else {
            text.append(contentsOf: String(date.year).utf8)
        }
        text.append(UInt8(ascii: "-"))
        digits(date.month, 2)
        text.append(UInt8(ascii: "-"))
        digits(date.day, 2)
        text.append(UInt8(ascii: "T"))
        digits(secs / 3600, 2)
        text.append(UInt8(ascii: ":"))
        digits(secs % 3600 / 60, 2)
        text.append(UInt8(ascii: ":"))
        digits(secs % 60, 2)
        // Local mean time before standard zones had offsets in seconds; Foundation writes them too.
        if offset == 0 {
            text.append(UInt8(ascii: "Z"))
        } else {
            let off = abs(offset)
            text.append(UInt8(ascii: offset < 0 ? "-" : "+"))
            digits(off / 3600, 2)
            text.append(UInt8(ascii: ":"))
            digits(off % 3600 / 60, 2)
            if off % 60 != 0 {
                text.append(UInt8(ascii: ":"))
                digits(off % 60, 2)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
