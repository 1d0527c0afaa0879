import BangfuCore
import Testing

/// What people read instead of codes (issue 13.18, 13.19); expectations written by hand.
@Suite struct WordsTests {
    @Test func holidayRulesReadAsPeopleSayThem() throws {
        #expect(Words.holiday(try HolidayRule(parsing: "lunar:01-01"), .zh) == "农历正月初一")
        #expect(Words.holiday(try HolidayRule(parsing: "lunar:08-15"), .zh) == "农历八月十五")
        #expect(Words.holiday(try HolidayRule(parsing: "lunar:12-30"), .zh) == "农历腊月三十")
        #expect(Words.holiday(try HolidayRule(parsing: "lunar:05-05"), .zh) == "农历五月初五")
        #expect(Words.holiday(try HolidayRule(parsing: "lunar:09-21"), .zh) == "农历九月廿一")
        #expect(Words.holiday(try HolidayRule(parsing: "gregorian:07-01"), .zh) == "7月1日")
        #expect(Words.holiday(try HolidayRule(parsing: "window:07-01..09-30"), .zh) == "7月1日至9月30日")
        #expect(Words.holiday(try HolidayRule(parsing: "gregorian:06-01"), .en) == "06-01")
    }

    @Test func datesInstantsAndPeriods() {
        #expect(ReadableTime.date("2027-01-13", .zh) == "2027年1月13日")
        #expect(ReadableTime.date("2027-01-13", .en) == "2027-01-13")
        #expect(ReadableTime.instant("2027-02-19T09:05:00+08:00", .zh) == "2027年2月19日 09:05")
        #expect(ReadableTime.instant("2027-02-19T09:05:00+08:00", .en) == "2027-02-19 09:05")
        #expect(ReadableTime.instant("not a time", .zh) == "not a time")
        #expect(ReadableTime.period(from: "2027-01-06", to: "2027-01-12", .zh) == "2027年1月6日至1月12日")
        #expect(ReadableTime.period(from: "2027-12-29", to: "2028-01-05", .zh) == "2027年12月29日至2028年1月5日")
    }

    @Test func codesAreWordsInChineseAndStayCodesInEnglish() {
        #expect(Words.of(.caseState, "in_notice", .zh) == "公示中")
        #expect(Words.of(.caseState, "in_notice", .en) == "in_notice")
        #expect(Words.of(.paymentKind, "one_off", .zh) == "一次性发放")
        #expect(Words.of(.event, "pass_review", .zh) == "初审通过")
        #expect(Words.of(.actor, "system", .zh) == "系统")
        #expect(Words.of(.ledgerKind, "loan_out", .zh) == "借出")
        #expect(Words.of(.visitStatus, "visited", .zh) == "已走访")
        #expect(Words.of(.category, "deep", .zh) == "深度困难")
        #expect(Words.of(.archiveStatus, "closed", .zh) == "已退出")
        #expect(Words.of(.caseState, "closed", .zh) == "已办结", "the same code, another kind, another word")
        #expect(Words.of(.operation, "no_such_operation", .zh) == "执行此操作")
        #expect(Words.operation(method: "org.bangfu.Cases.PassReview") == "pass_review")
    }

    @Test func archiveFieldsAndValues() {
        #expect(Words.archiveField("members[1].name", .zh) == "成员2 姓名")
        #expect(Words.archiveField("head.politicalStatus", .zh) == "户主 政治面貌")
        #expect(Words.archiveValue(field: "head.politicalStatus", "party_member", .zh) == "中共党员")
        #expect(Words.archiveValue(field: "review_due", "2028-02-04", .zh) == "2028年2月4日")
        #expect(Words.archiveValue(field: "head.name", "张三明", .zh) == "张三明")
        #expect(Words.archiveValue(field: "annualIncome", "3600000", .zh) == "¥36,000.00")
        #expect(Words.archiveValue(field: "members[0].relation", "spouse", .zh) == "配偶")
    }
}
