import Foundation

/// Instants as ISO 8601 text with a zone's offset, e.g. `2027-02-19T00:00:00+08:00`.
///
/// Done with integer arithmetic: creating a formatter per call cost more than the rest of a case
/// read, and a shared formatter is not safe across threads.
public enum InstantText {
    /// Whole seconds (fractions dropped), the zone's offset at that instant, `Z` for UTC.
    public static func iso8601(_ d: Date, zone: TimeZone) -> String {
        let offset = zone.secondsFromGMT(for: d)
        let local = Int64(d.timeIntervalSince1970.rounded(.down)) + Int64(offset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = Int(local - days * 86_400)
        let date = LocalDate(dayNumber: Int(days))
        let (year, month, day) = (date.year, date.month, date.day)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        let off = abs(offset)
        // Local mean time before standard zones had offsets in seconds; Foundation writes them too.
        let zoneText =
            offset == 0
            ? "Z"
            : "\(offset < 0 ? "-" : "+")\(two(off / 3600)):\(two(off % 3600 / 60))"
                + (off % 60 == 0 ? "" : ":\(two(off % 60))")
        return
            "\(year)-\(two(month))-\(two(day))T\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))\(zoneText)"
    }
}
