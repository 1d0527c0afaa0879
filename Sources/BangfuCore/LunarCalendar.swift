import Foundation

/// Chinese lunar dates (Spring Festival 1-1, Mid-Autumn 8-15) on the Gregorian calendar,
/// through Foundation's Chinese calendar.
public enum LunarCalendar {
    /// The Gregorian date in `year` whose lunar month and day are `month`-`day` (not a leap month).
    /// Spring Festival 2027 is `date(month: 1, day: 1, inGregorianYear: 2027)` = 2027-02-06.
    public static func date(month: Int, day: Int, inGregorianYear year: Int) -> LocalDate? {
        var chinese = Calendar(identifier: .chinese)
        chinese.timeZone = BusinessZone.shanghai.timeZone
        var d = LocalDate(year: year, month: 1, day: 1)!
        while d.year == year {
            let c = chinese.dateComponents(
                [.month, .day, .isLeapMonth], from: BusinessZone.shanghai.startOfDay(d).addingTimeInterval(12 * 3600))
            if c.month == month && c.day == day && c.isLeapMonth != true { return d }
            d = d.adding(days: 1)
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
