import Foundation

/// Chinese lunar dates (Spring Festival 1-1, Mid-Autumn 8-15) on the Gregorian calendar.
///
/// Lunar years 1999-2199 (every business date bangfu accepts) come from a table of month lengths,
/// taken from Foundation's Chinese calendar (ICU) in Asia/Shanghai and checked against it date by
/// date in the tests. Planning a campaign asked ICU about every day of the year, which loaded ICU's
/// calendar and time zone data into an otherwise idle daemon (issue 17: idle memory); years outside
/// the table still ask ICU.
public enum LunarCalendar {
    /// The Gregorian date in `year` whose lunar month and day are `month`-`day` (not a leap month).
    /// Spring Festival 2027 is `date(month: 1, day: 1, inGregorianYear: 2027)` = 2027-02-06.
    public static func date(month: Int, day: Int, inGregorianYear year: Int) -> LocalDate? {
        guard (1...12).contains(month), (1...30).contains(day) else { return nil }
        guard let earlier = table(lunarYear: year - 1), let same = table(lunarYear: year) else {
            return foundationDate(month: month, day: day, inGregorianYear: year)
        }
        // The lunar year before ends in January or February of `year`: its dates come first.
        for lunarYear in [earlier, same] {
            if let date = lunarYear.date(month: month, day: day), date.year == year { return date }
        }
        return nil
    }

    /// One lunar year: the day number of its first day, its leap month (0: none) and the length of
    /// each of its months in order, the leap month after the month it repeats (bit set: 30 days).
    struct Year {
        let firstDay: Int
        let leapMonth: Int
        let longMonths: UInt32

        var monthCount: Int { leapMonth == 0 ? 12 : 13 }

        func length(ofMonthAt index: Int) -> Int { longMonths >> index & 1 == 1 ? 30 : 29 }

        var dayCount: Int { (0..<monthCount).reduce(0) { total, index in total + length(ofMonthAt: index) } }

        /// The date of `month`-`day` (not the leap month); nil when that month has fewer days.
        func date(month: Int, day: Int) -> LocalDate? {
            let index = month - 1 + (leapMonth != 0 && month > leapMonth ? 1 : 0)
            guard day <= length(ofMonthAt: index) else { return nil }
            let before = (0..<index).reduce(0) { total, earlier in total + length(ofMonthAt: earlier) }
            return LocalDate(dayNumber: firstDay + before + day - 1)
        }
    }

    static let firstLunarYear = 1999

    /// 1999-02-16, Spring Festival of the table's first year, as a day number.
    static let firstNewYearDay = 10_638

    /// Per lunar year from 1999: the leap month in bits 13-16, month lengths in bits 0-12.
    static let packedYears: [UInt32] = [
        0x00749, 0x00693, 0x0952B, 0x0052B, 0x00A5B, 0x0555A, 0x0056A, 0x0FB55, 0x00BA4, 0x00B49,
        0x0BA93, 0x00A95, 0x0052D, 0x08AAD, 0x00AB5, 0x135AA, 0x005D2, 0x00DA5, 0x0DD4A, 0x00D4A,
        0x00C95, 0x0952E, 0x00556, 0x00AB5, 0x055B2, 0x006D2, 0x0CEA5, 0x00725, 0x0064B, 0x0AC97,
        0x00CAB, 0x0055A, 0x06AD6, 0x00B69, 0x17752, 0x00B52, 0x00B25, 0x0DA4B, 0x00A4B, 0x004AB,
        0x0A55B, 0x005AD, 0x00B6A, 0x05B52, 0x00D92, 0x0FD25, 0x00D25, 0x00A55, 0x0B4AD, 0x004B6,
        0x005B5, 0x06DAA, 0x00EC9, 0x11E92, 0x00E92, 0x00D26, 0x0CA56, 0x00A57, 0x004D6, 0x086D5,
        0x00755, 0x00749, 0x06E93, 0x00693, 0x0F52B, 0x0052B, 0x00A5B, 0x0B55A, 0x0056A, 0x00B65,
        0x0974A, 0x00B4A, 0x11A95, 0x00A95, 0x0052D, 0x0CAAD, 0x00AB5, 0x005AA, 0x08BA5, 0x00DA5,
        0x00D4A, 0x07C95, 0x00C96, 0x0F94E, 0x00556, 0x00AB5, 0x0B5B2, 0x006D2, 0x00EA5, 0x08E4A,
        0x0068B, 0x10C97, 0x004AB, 0x0055B, 0x0CAD6, 0x00B6A, 0x00752, 0x09725, 0x00B25, 0x00A8B,
        0x0549B, 0x004AB, 0x0E96B, 0x005AD, 0x00BAA, 0x0BB52, 0x00D92, 0x00D25, 0x09A4B, 0x00A55,
        0x134AD, 0x004B6, 0x006B5, 0x0CDAA, 0x00EC9, 0x00E92, 0x09D25, 0x00D2A, 0x00A56, 0x074B6,
        0x0055A, 0x0EAD5, 0x00755, 0x0074A, 0x0AE93, 0x00695, 0x0052B, 0x08A57, 0x00A9B, 0x1755A,
        0x0056A, 0x00B65, 0x0D74A, 0x00B4A, 0x00B15, 0x0B52B, 0x0054D, 0x00AAD, 0x0556A, 0x005AA,
        0x0EBA5, 0x00DA5, 0x00D4A, 0x0BD15, 0x00D16, 0x0094E, 0x08AAD, 0x00AD6, 0x005B4, 0x02DA5,
        0x00EA5, 0x0CE8A, 0x0068B, 0x00D17, 0x0A956, 0x0095B, 0x00ADA, 0x076D4, 0x00754, 0x0F745,
        0x00B45, 0x00A8B, 0x0D52B, 0x004AD, 0x0096B, 0x08B6A, 0x00BAA, 0x15B54, 0x00DA2, 0x00D45,
        0x0DA95, 0x00A95, 0x0052D, 0x089AD, 0x006B5, 0x00DAA, 0x07DA4, 0x00EA2, 0x0FD46, 0x00D4A,
        0x00A96, 0x0D536, 0x0055A, 0x00AD5, 0x096CA, 0x00752, 0x00EA5, 0x04D4A, 0x0054B, 0x0CA97,
        0x00AAB, 0x0055A, 0x0AAD5, 0x00B69, 0x00752, 0x07AA5, 0x00B25, 0x0FA4B, 0x0094D, 0x00AAD,
    ]

    static let years: [Year] = {
        var firstDay = firstNewYearDay
        return packedYears.map { packed in
            let year = Year(firstDay: firstDay, leapMonth: Int(packed >> 13), longMonths: packed & 0x1FFF)
            firstDay += year.dayCount
            return year
        }
    }()

    static func table(lunarYear: Int) -> Year? {
        let index = lunarYear - firstLunarYear
        return years.indices.contains(index) ? years[index] : nil
    }

    /// Outside the table: Foundation's Chinese calendar, day by day.
    static func foundationDate(month: Int, day: Int, inGregorianYear year: Int) -> LocalDate? {
        guard let first = LocalDate(year: year, month: 1, day: 1) else { return nil }
        var chinese = Calendar(identifier: .chinese)
        chinese.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
        var date = first
        while date.year == year {
            let lunar = chinese.dateComponents(
                [.month, .day, .isLeapMonth], from: BusinessZone.shanghai.startOfDay(date).addingTimeInterval(12 * 3600)
            )
            if lunar.month == month && lunar.day == day && lunar.isLeapMonth != true { return date }
            date = date.adding(days: 1)
        }
        return nil
    }
}

/// When a campaign's holiday falls: a Gregorian date, or a lunar one.
public enum HolidayRule: Sendable, Hashable, Codable {
    case gregorian(month: Int, day: Int)
    case lunar(month: Int, day: Int)
    /// A season (金秋助学 July-September): planned for its first day, visits due by its last.
    case window(startMonth: Int, startDay: Int, endMonth: Int, endDay: Int)

    /// The holiday (or the window's first day) in a Gregorian year.
    public func date(in year: Int) -> LocalDate? {
        switch self {
        case .gregorian(let m, let d): return LocalDate(year: year, month: m, day: d)
        case .lunar(let m, let d): return LunarCalendar.date(month: m, day: d, inGregorianYear: year)
        case .window(let m, let d, _, _): return LocalDate(year: year, month: m, day: d)
        }
    }

    /// The window's last day for the occurrence starting on `start`; nil for a single day.
    public func windowEnd(from start: LocalDate) -> LocalDate? {
        guard case .window(_, _, let m, let d) = self else { return nil }
        return LocalDate(year: start.year, month: m, day: d)
    }

    /// Parses `gregorian:07-01`, `lunar:01-01` or `window:07-01..09-30`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":")
        if parts.count == 2, parts[0] == "window" {
            let ends = parts[1].components(separatedBy: "..").map { $0.split(separator: "-").compactMap { Int($0) } }
            guard ends.count == 2,
                ends.allSatisfy({ $0.count == 2 && (1...12).contains($0[0]) && (1...31).contains($0[1]) }),
                (ends[0][0], ends[0][1]) <= (ends[1][0], ends[1][1])
            else {
                throw BangfuError(
                    .invalidConfig, zh: "时段“\(text)”无效：应为 window:MM-DD..MM-DD（同一年内）",
                    en: "window \"\(text)\" is invalid: use window:MM-DD..MM-DD within one year")
            }
            self = .window(startMonth: ends[0][0], startDay: ends[0][1], endMonth: ends[1][0], endDay: ends[1][1])
            return
        }
        let md = parts.count == 2 ? parts[1].split(separator: "-").compactMap { Int($0) } : []
        guard parts.count == 2, md.count == 2, (1...12).contains(md[0]), (1...31).contains(md[1]) else {
            throw BangfuError(
                .invalidConfig, zh: "节日规则“\(text)”无效：应为 gregorian:MM-DD、lunar:MM-DD 或 window:MM-DD..MM-DD",
                en: "holiday rule \"\(text)\" is invalid: use gregorian:MM-DD, lunar:MM-DD or window:MM-DD..MM-DD")
        }
        switch parts[0] {
        case "gregorian": self = .gregorian(month: md[0], day: md[1])
        case "lunar": self = .lunar(month: md[0], day: md[1])
        default:
            throw BangfuError(
                .invalidConfig, zh: "节日规则只能是 gregorian 或 lunar", en: "a holiday rule is gregorian or lunar")
        }
    }
}

/// Who a campaign visits.
public struct CampaignTarget: Sendable, Hashable {
    /// Hardship categories included (empty: any open archive).
    public var categories: Set<HardshipCategory>
    public var partyMembersOnly: Bool
    /// Model-worker levels included in addition to the categories (e.g. national model workers).
    public var modelWorkerLevels: Set<ModelWorkerLevel>
    public var minAge: Int?
    public var maxAge: Int?
    /// Only households with a child under this age (六一: 14).
    public var childUnder: Int?
    /// Units whose subtrees are included (empty: all).
    public var units: [String]
    /// Region-code prefixes included, e.g. `3702` for a city (empty: all).
    public var regions: [String]

    public init(
        categories: Set<HardshipCategory> = [], partyMembersOnly: Bool = false,
        modelWorkerLevels: Set<ModelWorkerLevel> = [],
        minAge: Int? = nil, maxAge: Int? = nil, childUnder: Int? = nil, units: [String] = [], regions: [String] = []
    ) {
        self.categories = categories
        self.partyMembersOnly = partyMembersOnly
        self.modelWorkerLevels = modelWorkerLevels
        self.minAge = minAge
        self.maxAge = maxAge
        self.childUnder = childUnder
        self.units = units
        self.regions = regions
    }

    /// Whether an open archive is targeted on `date`.
    public func includes(_ h: Household, on date: LocalDate, tree: UnitTree) -> Bool {
        guard h.status == .open else { return false }
        if !units.isEmpty && !units.contains(where: { tree.isWithin(h.input.unitId, root: $0) }) { return false }
        if !regions.isEmpty && !regions.contains(where: { h.input.region.hasPrefix($0) }) { return false }
        let head = h.input.head
        let byCategory = categories.isEmpty || (h.assessment.category.map(categories.contains) ?? false)
        let byModel = modelWorkerLevels.contains(head.modelWorkerLevel)
        guard byCategory || byModel else { return false }
        if partyMembersOnly && head.politicalStatus != .partyMember { return false }
        let age = Self.age(head.idNumber.birthDate, on: date)
        if let a = minAge, age < a { return false }
        if let a = maxAge, age > a { return false }
        if let limit = childUnder,
            !h.input.members.contains(where: { Self.age($0.idNumber.birthDate, on: date) < limit })
        {
            return false
        }
        return true
    }

    public static func age(_ birth: LocalDate, on d: LocalDate) -> Int {
        d.year - birth.year - ((d.month, d.day) < (birth.month, birth.day) ? 1 : 0)
    }

    /// Deepest hardship first: deep, accident, relative, then lower per-capita income, then archive order.
    public static func priority(_ a: Household, _ b: Household) -> Bool { PriorityKey(a) < PriorityKey(b) }

    /// What the order of `priority` depends on, small enough to keep for a million households
    /// while their archives are not kept.
    public struct PriorityKey: Comparable, Sendable {
        public let rank: Int
        public let perCapitaFen: Int64
        public let householdId: Int64

        public init(_ h: Household) {
            switch h.assessment.category {
            case .deep: rank = 0
            case .accident: rank = 1
            case .relative: rank = 2
            case nil: rank = 3
            }
            perCapitaFen = h.assessment.perCapitaMonthly.fen
            householdId = h.id
        }

        public static func < (a: PriorityKey, b: PriorityKey) -> Bool {
            (a.rank, a.perCapitaFen, a.householdId) < (b.rank, b.perCapitaFen, b.householdId)
        }
    }
}

/// A holiday-visit campaign (送温暖, 七一, 六一, 中秋, 金秋助学) from configuration.
public struct CampaignDefinition: Sendable, Hashable {
    public var id: String
    public var name: String
    public var holiday: HolidayRule
    /// Planned this many days before the holiday.
    public var leadDays: Int
    public var target: CampaignTarget
    /// The help type of its cases (e.g. holiday-condolence) and the form they carry.
    public var helpType: String
    public var form: [String: String]
    /// Most the campaign may commit, over all households.
    public var budget: Money
    /// Days before the holiday by which visits are due.
    public var visitDueDaysBefore: Int
    /// The fund its payments come from (when bangfud pays at the end of the notice); nil: the nearest that may pay.
    public var fund: String?

    public init(
        id: String, name: String, holiday: HolidayRule, leadDays: Int, target: CampaignTarget, helpType: String,
        form: [String: String], budget: Money, visitDueDaysBefore: Int = 1, fund: String? = nil
    ) {
        self.id = id
        self.name = name
        self.holiday = holiday
        self.leadDays = leadDays
        self.target = target
        self.helpType = helpType
        self.form = form
        self.budget = budget
        self.visitDueDaysBefore = visitDueDaysBefore
        self.fund = fund
    }

    /// Holidays whose planning window [holiday - lead, holiday] contains `today`: planned once each.
    /// Spring Festival 2028 (2028-01-26) is due in December 2027 with a lead of 45 days.
    public func occurrencesDue(on today: LocalDate) -> [LocalDate] {
        [today.year, today.year + 1].compactMap { holiday.date(in: $0) }
            .filter { $0.adding(days: -leadDays) <= today && today <= $0 }
    }

    /// Occurrences whose holiday fell on or after `first` and before `today`: those a run should
    /// exist for. Without one, the occurrence was missed (the daemon was down over its lead days,
    /// or the clock jumped past them).
    public func occurrences(from first: LocalDate, before today: LocalDate) -> [LocalDate] {
        guard first < today else { return [] }
        return (first.year...today.year).compactMap { year in holiday.date(in: year) }
            .filter { holiday in first <= holiday && holiday < today }
    }

    /// Whether `date` is one of this campaign's occurrences (the holiday, or a window's first day).
    public func isOccurrence(_ date: LocalDate) -> Bool { holiday.date(in: date.year) == date }

    /// When this occurrence's visits are due: the window's last day, else `visitDueDaysBefore` the holiday.
    public func visitDue(for holiday: LocalDate) -> LocalDate {
        self.holiday.windowEnd(from: holiday) ?? holiday.adding(days: -visitDueDaysBefore)
    }

    /// The next day planning becomes due after `today` (for the timer).
    public func nextLeadDay(after today: LocalDate) -> LocalDate? {
        [today.year, today.year + 1, today.year + 2].compactMap { holiday.date(in: $0) }
            .map { $0.adding(days: -leadDays) }.filter { $0 > today }.min()
    }
}
