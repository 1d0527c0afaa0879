import Foundation

/// A calendar date without a time or zone: business dates, birth dates, effective dates.
///
/// Arithmetic is done on a day number (days since 1970-01-01), so it never depends on a time zone.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// The date as one integer in date order, for page cursors: 2027-02-10 is 20270210.
    public var sortKey: Int64 { Int64(year * 10_000 + month * 100 + day) }

    /// Creates a date, or fails when it does not exist (30 February, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= LocalDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init(parsing text: String) throws {
        // By bytes: splitting and asking each Character whether it is a digit cost a case read 4 %.
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let d = LocalDate(year: year, month: month, day: day)
        else {
            throw BangfuError(
                .invalidDate,
                zh: "日期“\(text)”无效：请写成 YYYY-MM-DD，例如 2027-02-06",
                en: "invalid date \"\(text)\": write YYYY-MM-DD, e.g. 2027-02-06")
        }
        self = d
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try LocalDate(parsing: text)
        } catch let e as BangfuError {
            // Keep the key path, so a configuration error can say where the bad date is.
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: e.en, underlyingError: e))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date for a day number (civil_from_days).
    public init(dayNumber n: Int) {
        let z = n + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// The same day `n` months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb).
    public func adding(months n: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + n
        let y = total / 12, m = total % 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDate.daysIn(month: m, year: y)))!
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int {
        let w = (dayNumber + 3) % 7  // 1970-01-01 was a Thursday (3 with Monday = 0)
        return (w < 0 ? w + 7 : w) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    public var description: String {
        func pad(_ v: Int, _ w: Int) -> String {
            String(repeating: "0", count: max(0, w - String(v).count)) + String(v)
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

/// The time zone business dates are counted in (default Asia/Shanghai), and conversions.
///
/// Offsets come from the system's time zone database where the zone's offset no longer changes
/// (`ZoneOffsets`); otherwise from Foundation's `TimeZone`, which loads ICU's data.
public struct BusinessZone: Sendable {
    /// The IANA name, e.g. `Asia/Shanghai`.
    public let identifier: String
    private let offsets: ZoneOffsets?
    private let foundationZone: TimeZone?

    public init(identifier: String) throws {
        self.identifier = identifier
        offsets = ZoneOffsets.system(identifier)
        foundationZone = offsets == nil ? TimeZone(identifier: identifier) : nil
        guard offsets != nil || foundationZone != nil else {
            throw BangfuError(
                .invalidConfig,
                zh: "未知时区“\(identifier)”：请使用 IANA 名称，例如 Asia/Shanghai",
                en: "unknown time zone \"\(identifier)\": use an IANA name such as Asia/Shanghai")
        }
    }

    public static let shanghai = try! BusinessZone(identifier: "Asia/Shanghai")

    /// The zone's offset from UTC in seconds at `instant`.
    public func secondsFromGMT(for instant: Date) -> Int { offset(at: instant, seconds: Self.seconds(instant)) }

    private func offset(at instant: Date, seconds: Int64) -> Int {
        guard let offsets else { return foundationZone!.secondsFromGMT(for: instant) }
        return offsets.offset(at: seconds)
    }

    /// Whole seconds since 1970 (fractions dropped), held within ±2^53 so that no instant, however
    /// far or malformed, traps a conversion: past the years bangfu accepts either way.
    public static func seconds(_ instant: Date) -> Int64 {
        let seconds = instant.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite else { return 0 }
        return Int64(max(-0x20_0000_0000_0000, min(0x20_0000_0000_0000, seconds)))
    }

    /// The business date an instant falls on.
    public func date(of instant: Date) -> LocalDate { local(instant).date }

    /// An instant as the zone tells it: its business date, the second within that date, and the
    /// zone's offset then (what an ISO 8601 text of it needs).
    public func local(_ instant: Date) -> (date: LocalDate, secondOfDay: Int, offset: Int) {
        let seconds = Self.seconds(instant)
        let offset = offset(at: instant, seconds: seconds)
        let local = seconds + Int64(offset)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return (LocalDate(dayNumber: Int(days)), Int(local - days * 86_400), offset)
    }

    /// 00:00 of a business date, as an instant; where a change of offset skips midnight, the
    /// date's first instant (as Foundation's calendar answers).
    public func startOfDay(_ d: LocalDate) -> Date {
        guard let offsets else {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = foundationZone!
            return calendar.date(from: DateComponents(year: d.year, month: d.month, day: d.day))!
        }
        let midnight = Int64(d.dayNumber) * 86_400
        // Midnight in UTC is within a day of midnight as local seconds: try the offsets in force a
        // day either side; one whose instant really has that offset is a midnight (the earlier if
        // midnight happens twice).
        let candidates = [midnight - 86_400, midnight + 86_400].map { near in
            midnight - Int64(offsets.offset(at: near))
        }
        let starts = candidates.filter { instant in
            date(ofSeconds: instant) == d && date(ofSeconds: instant - 1) < d
        }
        if let instant = starts.min() { return Date(timeIntervalSince1970: Double(instant)) }
        // Skipped: the date begins at the change of offset.
        let change = offsets.transitions.first { instant in
            instant > midnight - 86_400 && date(ofSeconds: instant) == d
        }
        return Date(timeIntervalSince1970: Double(change ?? candidates[1]))
    }

    private func date(ofSeconds seconds: Int64) -> LocalDate {
        date(of: Date(timeIntervalSince1970: Double(seconds)))
    }
}

extension LocalDate {
    /// The business dates a caller may name: 2000-01-01 to 2199-12-31.
    public static let acceptedYears = 2000...2199

    /// A date from untrusted input: a real `YYYY-MM-DD` within `acceptedYears`, else `invalid_input` naming `field`.
    public static func bounded(_ text: String, field: String) throws -> LocalDate {
        guard let date = try? LocalDate(parsing: text), acceptedYears.contains(date.year) else {
            throw BangfuError(
                .invalidInput, zh: "\(field) 的日期“\(text)”无效：请写成 YYYY-MM-DD，在 2000 年至 2199 年之间",
                en: "\(field): \"\(text)\" is not a date YYYY-MM-DD between 2000 and 2199", context: ["field": field])
        }
        return date
    }

    /// A period from untrusted input: both ends bounded and `from` not after `to`.
    public static func period(from: String, to: String) throws -> (from: LocalDate, to: LocalDate) {
        let start = try bounded(from, field: "from")
        let end = try bounded(to, field: "to")
        guard start <= end else {
            throw BangfuError(.invalidInput, zh: "起始日期晚于结束日期", en: "from is after to", context: ["field": "from"])
        }
        return (start, end)
    }
}
