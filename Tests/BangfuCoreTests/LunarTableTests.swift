@testable import BangfuCore
import Foundation
import Testing

/// The lunar table agrees with Foundation's Chinese calendar (ICU) on every date bangfu accepts.
@Suite struct LunarTableTests {
    /// For each Gregorian year 2000-2199 and each lunar month 1-12 and day 1-30: the first date of
    /// that year with that lunar date (not in a leap month), found by asking ICU about every day.
    @Test func everyDateAgreesWithFoundation() throws {
        var chinese = Calendar(identifier: .chinese)
        chinese.timeZone = try #require(TimeZone(identifier: "Asia/Shanghai"))
        var first: [Int: LocalDate] = [:]
        var day = try #require(LocalDate(year: 2000, month: 1, day: 1))
        let noonOfFirstDay = try #require(
            Calendar(identifier: .gregorian).date(
                from: DateComponents(
                    timeZone: TimeZone(identifier: "Asia/Shanghai"), year: 2000, month: 1, day: 1, hour: 12)))
        var noon = noonOfFirstDay
        var previous = (month: 0, day: 0, leap: false)
        while day.year <= 2199 {
            let lunar = chinese.dateComponents([.month, .day, .isLeapMonth], from: noon)
            // ICU names two days "day 0" of the next month (2057-09-28, 2097-08-07: a new moon just
            // after midnight); the month's start is the same, and the table counts them as the
            // 30th of the month before.
            let today =
                lunar.day == 0
                ? (month: previous.month, day: previous.day + 1, leap: previous.leap)
                : (month: lunar.month!, day: lunar.day!, leap: lunar.isLeapMonth == true)
            if !today.leap {
                let key = day.year * 10_000 + today.month * 100 + today.day
                if first[key] == nil { first[key] = day }
            }
            previous = today
            day = day.adding(days: 1)
            noon = noon.addingTimeInterval(86_400)
        }
        var mismatches: [String] = []
        for year in 2000...2199 {
            for month in 1...12 {
                for lunarDay in 1...30 {
                    let expected = first[year * 10_000 + month * 100 + lunarDay]
                    let answer = LunarCalendar.date(month: month, day: lunarDay, inGregorianYear: year)
                    if answer != expected, mismatches.count < 10 {
                        mismatches.append(
                            "\(year) lunar \(month)-\(lunarDay): \(String(describing: answer)), ICU \(String(describing: expected))"
                        )
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Dates written by hand (the festivals of 2025-2030 are in `LunarCalendarTests`): around the
    /// leap eleventh month of 2033, before the table, and a month that does not exist.
    @Test func edgesOfTheTable() {
        #expect(LunarCalendar.date(month: 1, day: 1, inGregorianYear: 2033) == LocalDate(year: 2033, month: 1, day: 31))
        #expect(
            LunarCalendar.date(month: 12, day: 1, inGregorianYear: 2034) == LocalDate(year: 2034, month: 1, day: 20))
        // Outside the table, Foundation's calendar: Spring Festival 1998 was 28 January.
        #expect(LunarCalendar.date(month: 1, day: 1, inGregorianYear: 1998) == LocalDate(year: 1998, month: 1, day: 28))
        #expect(LunarCalendar.date(month: 13, day: 1, inGregorianYear: 2027) == nil)
    }
}
