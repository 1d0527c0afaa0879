/// Working days: weekdays, minus official holidays, plus make-up working days (调休).
///
/// Each year's holidays are published by the State Council late in the year before, so they
/// come from configuration; a year with no entries counts plain weekdays.
public struct WorkCalendar: Sendable, Hashable {
    public var holidays: Set<LocalDate>
    public var makeupWorkdays: Set<LocalDate>

    public init(holidays: Set<LocalDate> = [], makeupWorkdays: Set<LocalDate> = []) {
        self.holidays = holidays
        self.makeupWorkdays = makeupWorkdays
    }

    public func isWorkingDay(_ d: LocalDate) -> Bool {
        if makeupWorkdays.contains(d) { return true }
        return !d.isWeekend && !holidays.contains(d)
    }

    /// The first `count` working days strictly after `date`.
    public func workingDays(after date: LocalDate, count: Int) -> [LocalDate] {
        var out: [LocalDate] = []
        var d = date
        while out.count < count {
            d = d.adding(days: 1)
            if isWorkingDay(d) { out.append(d) }
        }
        return out
    }
}

/// A public notice (公示) period: it runs on the working days after its start date and passes at
/// 00:00 (business zone) after the last of them.
public struct NoticePeriod: Sendable, Codable, Hashable {
    /// Counting starts on the first working day after this date.
    public var countsAfter: LocalDate
    /// How many working days it runs.
    public var workingDays: Int

    public init(countsAfter: LocalDate, workingDays: Int) {
        self.countsAfter = countsAfter
        self.workingDays = workingDays
    }

    public func days(_ cal: WorkCalendar) -> [LocalDate] { cal.workingDays(after: countsAfter, count: workingDays) }

    /// The business date on whose 00:00 the notice passes.
    public func passesOn(_ cal: WorkCalendar) -> LocalDate {
        (days(cal).last ?? countsAfter).adding(days: 1)
    }

    /// Working days of the notice not yet over on `today`: today itself still counts in full,
    /// so an objection never costs the public a day of notice.
    public func remaining(on today: LocalDate, _ cal: WorkCalendar) -> Int {
        days(cal).filter { $0 >= today }.count
    }
}
