import BangfuConfig
import BangfuCore
import Foundation
import Testing

/// The notice period across Spring Festival 2027 (lunar new year 2027-02-06), on the SYNTHETIC
/// holiday file in etc/calendars (labelled as such: the official 2027 calendar is not yet published).
@Suite struct NoticeCalendarTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func config() throws -> BangfuConfiguration {
        try BangfuConfiguration.parse(
            yaml: "calendars:\n  - file: etc/calendars/2027.synthetic.yaml\n",
            path: Self.root.appendingPathComponent("bangfu.yaml").path)
    }

    func d(_ s: String) -> LocalDate { try! LocalDate(parsing: s) }

    @Test func springFestivalFromTheChineseCalendar() {
        var chinese = Calendar(identifier: .chinese)
        chinese.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let newYear = chinese.date(from: DateComponents(era: 78, year: 44, month: 1, day: 1))!  // 丁未 2027
        #expect(BusinessZone.shanghai.date(of: newYear) == d("2027-02-06"))
    }

    @Test func syntheticFileIsLabelled() throws {
        let c = try config()
        #expect(c.calendarYears[2027] == true)
        #expect(c.calendar.isWorkingDay(d("2027-02-14")), "make-up Sunday")
        #expect(!c.calendar.isWorkingDay(d("2027-02-08")), "holiday Monday")
    }

    @Test func noticeSkipsTheHolidayAndCountsTheMakeupDay() throws {
        let cal = try config().calendar
        let p = NoticePeriod(countsAfter: d("2027-02-04"), workingDays: 5)
        #expect(p.days(cal) == ["2027-02-14", "2027-02-15", "2027-02-16", "2027-02-17", "2027-02-18"].map(d))
        #expect(p.passesOn(cal) == d("2027-02-19"))
        // Without the holiday file the same notice ends before the festival.
        #expect(p.passesOn(WorkCalendar()) == d("2027-02-12"))
    }

    @Test func machineComputesDeadlineAndObjectionFreezes() throws {
        let rules = CaseRules(zone: .shanghai, calendar: try config().calendar, noticeWorkingDays: 5)
        var c = HelpCase(id: 1, caseNo: "BF-2027-000001", householdId: 1, unitId: "u", helpType: "t", filedBy: "a")
        c.state = .branchReviewPassed
        c.reviewedBy = "b"
        let approvedAt = BusinessZone.shanghai.startOfDay(d("2027-02-04")).addingTimeInterval(15 * 3600)
        let (inNotice, fx) = try CaseMachine.apply(
            .approve(plan: .oneOff(Money(yuan: 100))), to: c, by: "c", at: approvedAt, rules: rules)
        let deadline = BusinessZone.shanghai.startOfDay(d("2027-02-19"))
        #expect(fx == [.armNoticeTimer(at: deadline)])
        // Objection on 2027-02-16 (third notice day): 02-16, 17, 18 remain.
        let objectedAt = BusinessZone.shanghai.startOfDay(d("2027-02-16")).addingTimeInterval(10 * 3600)
        let (objected, fx2) = try CaseMachine.apply(
            .object(summary: "有群众反映收入不实"), to: inNotice, by: "a", at: objectedAt, rules: rules)
        #expect(objected.state == .objected)
        #expect(objected.frozenRemainingDays == 3)
        #expect(fx2 == [.cancelNoticeTimer])
        // Dismissed on Monday 2027-02-22: the 3 days resume from 02-23.
        let dismissedAt = BusinessZone.shanghai.startOfDay(d("2027-02-22")).addingTimeInterval(9 * 3600)
        let (resumed, fx3) = try CaseMachine.apply(
            .dismissObjection(decision: "经核查情况属实"), to: objected, by: "c", at: dismissedAt, rules: rules)
        #expect(resumed.state == .inNotice)
        #expect(fx3 == [.armNoticeTimer(at: BusinessZone.shanghai.startOfDay(d("2027-02-26")))])
        // Upheld instead: back to review, and a later approval opens a full new notice.
        let (upheld, _) = try CaseMachine.apply(
            .upholdObjection(decision: "收入超标"), to: objected, by: "c", at: dismissedAt, rules: rules)
        #expect(upheld.state == .submitted)
        #expect(upheld.notice == nil && upheld.reviewedBy == nil)
        // Not passed before the deadline; passed at it.
        #expect(throws: BangfuError.self) {
            try CaseMachine.apply(
                .noticeElapsed, to: inNotice, by: "system", at: deadline.addingTimeInterval(-1), rules: rules)
        }
        #expect(
            try CaseMachine.apply(.noticeElapsed, to: inNotice, by: "system", at: deadline, rules: rules).0.state
                == .noticePassed)
    }
}

@Suite struct LunarCalendarTests {
    @Test(arguments: [
        (2025, "2025-01-29", "2025-10-06"), (2026, "2026-02-17", "2026-09-25"), (2027, "2027-02-06", "2027-09-15"),
        (2028, "2028-01-26", "2028-10-03"), (2029, "2029-02-13", "2029-09-22"), (2030, "2030-02-03", "2030-09-12"),
    ])
    func springFestivalAndMidAutumn(year: Int, spring: String, midAutumn: String) throws {
        #expect(LunarCalendar.date(month: 1, day: 1, inGregorianYear: year) == (try LocalDate(parsing: spring)))
        #expect(LunarCalendar.date(month: 8, day: 15, inGregorianYear: year) == (try LocalDate(parsing: midAutumn)))
    }

    @Test func occurrencesComeDueOnTheLeadDayOnce() throws {
        let def = CampaignDefinition(
            id: "spring", name: "送温暖", holiday: .lunar(month: 1, day: 1), leadDays: 45, target: CampaignTarget(),
            helpType: "holiday-condolence", form: [:], budget: Money(yuan: 1000))
        #expect(def.occurrencesDue(on: try LocalDate(parsing: "2026-12-22")).isEmpty)
        #expect(def.occurrencesDue(on: try LocalDate(parsing: "2026-12-23")) == [try LocalDate(parsing: "2027-02-06")])
        // Spring Festival 2028 is planned in December 2027.
        #expect(def.occurrencesDue(on: try LocalDate(parsing: "2027-12-12")) == [try LocalDate(parsing: "2028-01-26")])
        #expect(def.nextLeadDay(after: try LocalDate(parsing: "2027-03-01")) == (try LocalDate(parsing: "2027-12-12")))
        let july = CampaignDefinition(
            id: "july", name: "七一", holiday: .gregorian(month: 7, day: 1), leadDays: 14,
            target: CampaignTarget(partyMembersOnly: true),
            helpType: "holiday-condolence", form: [:], budget: Money(yuan: 1000))
        #expect(july.occurrencesDue(on: try LocalDate(parsing: "2027-06-17")) == [try LocalDate(parsing: "2027-07-01")])
        // 金秋助学 as a window: planned before July 1, visits due by September 30.
        let autumn = CampaignDefinition(
            id: "autumn", name: "金秋助学", holiday: try HolidayRule(parsing: "window:07-01..09-30"), leadDays: 10,
            target: CampaignTarget(), helpType: "education-aid", form: [:], budget: Money(yuan: 1000))
        #expect(
            autumn.occurrencesDue(on: try LocalDate(parsing: "2027-06-21")) == [try LocalDate(parsing: "2027-07-01")])
        #expect(autumn.visitDue(for: try LocalDate(parsing: "2027-07-01")) == (try LocalDate(parsing: "2027-09-30")))
        #expect(def.visitDue(for: try LocalDate(parsing: "2027-02-06")) == (try LocalDate(parsing: "2027-02-05")))
        #expect(throws: BangfuError.self) { try HolidayRule(parsing: "window:09-30..07-01") }
    }

    @Test func targetsByCategoryPartyAgeChildRegionAndUnit() throws {
        let tree = try UnitTree([
            OrgUnit(id: "c", name: "市", parentId: nil, level: .city),
            OrgUnit(id: "b", name: "支部", parentId: "c", level: .grassroots),
            OrgUnit(id: "x", name: "另一市", parentId: nil, level: .city),
        ])
        let day = try LocalDate(parsing: "2027-06-01")
        func h(
            _ cat: HardshipCategory?, party: Bool = false, child: Int? = nil, region: String = "370202",
            unit: String = "b"
        ) -> Household {
            let head = Person(
                name: "甲", idNumber: .synthetic(index: 1), politicalStatus: party ? .partyMember : .masses,
                workStatus: .laidOff)
            let members: [Member] =
                child.map { age -> [Member] in
                    // A child born `age` years before the day (synthetic number with that birth year).
                    let d17 = "990101\(2027 - age)0101001"
                    return [
                        Member(
                            name: "乙",
                            idNumber: try! IDNumber(d17 + String(IDNumber.checkCharacter(for: d17)!), today: day),
                            relation: "child")
                    ]
                } ?? []
            let a = CategoryAssessment(
                category: cat, assessedOn: day, dibaoRegion: "370200", dibaoMonthly: Money(yuan: 1000),
                perCapitaMonthly: Money(yuan: 500), reasonZh: "", reasonEn: "")
            return Household(
                id: 1, archiveNo: "HA", status: .open,
                input: ArchiveInput(
                    unitId: unit, region: region, head: head, members: members,
                    annualIncome: Money(yuan: 1), mainCause: "other"), assessment: a, reviewDue: day, createdAt: Date())
        }
        #expect(CampaignTarget(categories: [.deep]).includes(h(.deep), on: day, tree: tree))
        #expect(!CampaignTarget(categories: [.deep]).includes(h(.relative), on: day, tree: tree))
        #expect(!CampaignTarget(partyMembersOnly: true).includes(h(.deep), on: day, tree: tree))
        #expect(CampaignTarget(childUnder: 14).includes(h(.deep, child: 13), on: day, tree: tree))
        #expect(!CampaignTarget(childUnder: 14).includes(h(.deep, child: 14), on: day, tree: tree))
        #expect(!CampaignTarget(regions: ["3701"]).includes(h(.deep), on: day, tree: tree))
        #expect(CampaignTarget(units: ["c"]).includes(h(.deep), on: day, tree: tree))
        #expect(!CampaignTarget(units: ["x"]).includes(h(.deep), on: day, tree: tree))
    }
}
