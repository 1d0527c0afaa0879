import BangfuVarlink
import Foundation
import Testing

/// Must-visits, pairing with quarterly contact, reviews and receptions, on the manual clock.
@Suite(.serialized) struct CareTests {
    typealias D = LiveDaemon

    func archive(_ d: LiveDaemon) throws -> String {
        try #require(try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
    }

    @Test func mustVisitsComeDueAndOverdueOnesAreListed() throws {
        let d = try LiveDaemon()
        let a = try archive(d)
        let v = try d.ctlJSON(D.cw, ["care", "must-visit", a, "hospital_stay", "--note", "住院手术"])
        #expect(v["dueOn"]?.string == "2027-02-07" && v["event"]?.string == "hospital_stay")
        #expect(try d.ctl(D.cw, ["care", "must-visit", a, "birthday"]).0 == 1, "events come from the configured list")
        #expect(try d.ctlJSON(D.au, ["care", "overdue-visits"]).array?.isEmpty == true)
        _ = try d.ctlJSON(nil, ["clock", "advance", "4d"])
        let overdue = try d.ctlJSON(D.au, ["care", "overdue-visits"]).array ?? []
        #expect(overdue.count == 1)
        _ = try d.ctlJSON(D.cw, ["care", "visit", String(try #require(overdue.first?["id"]?.int)), "--note", "已探望"])
        #expect(try d.ctlJSON(D.au, ["care", "overdue-visits"]).array?.isEmpty == true)
    }

    @Test func pairingNeedsAContactEachQuarterAndFollowsAHelperWhoLeaves() throws {
        let d = try LiveDaemon()
        let a = try archive(d)
        #expect(try d.ctlJSON(D.cw, ["care", "pair", a, "uid:\(D.helper)"])["helpers"]?.array?.count == 1)
        #expect(try d.ctl(D.cw, ["care", "pair", a, "uid:\(D.helper)"]).0 == 1, "paired once at a time")
        _ = try d.ctlJSON(D.helper, ["care", "contact", a, "--kind", "phone", "--note", "电话问候"])
        _ = try d.ctlJSON(nil, ["clock", "advance", "60d"])
        #expect(try d.ctlJSON(D.au, ["care", "overdue-contacts"]).array?.isEmpty == true)
        _ = try d.ctlJSON(nil, ["clock", "advance", "33d"])
        let due = try d.ctlJSON(D.au, ["care", "overdue-contacts"]).array ?? []
        #expect(due.count == 1 && due.first?["helpers"]?.array?.first?.string == "uid:\(D.helper)")
        // Another helper who is not paired cannot log contacts for the household.
        #expect(try d.ctl(D.helper2, ["care", "contact", a]).0 == 4)
        _ = try d.ctlJSON(D.helper, ["care", "contact", a, "--kind", "visit"])
        #expect(try d.ctlJSON(D.au, ["care", "overdue-contacts"]).array?.isEmpty == true)
        // The helper leaves: the household moves to another, and must-visits go to the new helper.
        #expect(
            try d.ctlJSON(D.cw, ["care", "reassign", "uid:\(D.helper)", "uid:\(D.helper2)", "--unit", "b1"])[
                "households"]?.int == 1)
        let v = try d.ctlJSON(D.cw, ["care", "must-visit", a, "family_disaster"])
        #expect(v["visitor"]?.string == "uid:\(D.helper2)")
        _ = try d.ctlJSON(D.helper2, ["care", "visit", String(try #require(v["id"]?.int)), "--note", "已上门"])
    }

    /// Issue 13.4 and 13.11: a helper reassigned does not restart the count of a household never
    /// contacted; only a helper of the unit can be paired (not a name nobody holds, not a caseworker).
    @Test func aReassignedHouseholdStaysOverdueAndOnlyHelpersArePaired() throws {
        let d = try LiveDaemon()
        let a = try archive(d)
        for name in ["zhangsan", "uid:\(D.cw)"] {
            let (code, _, err) = try d.ctl(D.cw, ["care", "pair", a, name])
            #expect(code == 1 && err.contains("helper"), "\(name) was paired: \(err)")
        }
        _ = try d.ctlJSON(D.cw, ["care", "pair", a, "uid:\(D.helper)"])
        _ = try d.ctlJSON(nil, ["clock", "advance", "93d"])
        #expect(try d.ctlJSON(D.au, ["care", "overdue-contacts"]).array?.count == 1)
        #expect(try d.ctl(D.cw, ["care", "reassign", "uid:\(D.helper)", "lisi", "--unit", "b1"]).0 == 1)
        _ = try d.ctlJSON(D.cw, ["care", "reassign", "uid:\(D.helper)", "uid:\(D.helper2)", "--unit", "b1"])
        let due = try d.ctlJSON(D.au, ["care", "overdue-contacts"]).array ?? []
        #expect(due.count == 1, "reassigning the helper hid a household never contacted")
        #expect(due.first?["helpers"]?.array?.first?.string == "uid:\(D.helper2)")
    }

    /// Issue 13.14 and 13.16: one household at a glance, each part for the roles whose work it is;
    /// the home address for those who work the case and the paired helper only; search by a name's
    /// beginning and by ID number for the roles that see both.
    @Test func aHouseholdAtAGlanceAsEachRoleSeesIt() throws {
        let d = try LiveDaemon()
        let a = try archive(d)
        let address = "青岛市市南区样例路 1 号 2 单元 301 室（合成数据）"
        _ = try d.ctlJSON(D.cw, ["care", "pair", a, "uid:\(D.helper)"])
        _ = try d.ctlJSON(D.helper, ["care", "contact", a, "--kind", "phone", "--note", "电话问候"])
        let filed = try d.ctlJSON(D.cw, ["case", "file", a, "medical-aid", "--form", "self_paid=800.00"])
        func overview(_ uid: UInt32) throws -> JSONValue { try d.ctlJSON(uid, ["household", a]) }

        let caseworker = try overview(D.cw)
        #expect(caseworker["household"]?["archive"]?["address"]?.string == address)
        #expect(caseworker["household"]?["archive"]?["head"]?["idNumber"]?.string == "990101197610120310")
        #expect(caseworker["cases"]?.array?.first?["caseNo"] == filed["caseNo"])
        #expect(caseworker["cases"]?.array?.first?["form"]?["self_paid_fen"]?.int == 80_000)
        #expect(caseworker["contacts"]?.array?.first?["note"]?.string == "电话问候")
        #expect(caseworker["helpers"]?.array?.count == 1)

        // The paired helper: how to reach them; no ID number, income, cases or payments.
        let helper = try overview(D.helper)
        #expect(helper["household"]?["archive"]?["address"]?.string == address)
        #expect(helper["household"]?["archive"]?["head"]?["name"]?.string == "张三明")
        #expect(helper["household"]?["archive"]?["head"]?["phone"]?.string != nil)
        #expect(helper["household"]?["archive"]?["head"]?["idNumber"]?.string != "990101197610120310")
        #expect(helper["household"]?["archive"]?["annualIncome"]?.int == 0)
        #expect(helper["cases"]?.array?.isEmpty == true && helper["incomes"]?.array?.isEmpty == true)
        #expect(helper["contacts"]?.array?.count == 1)
        // Another helper of the same unit, not paired: as if it did not exist.
        let (unpaired, _, _) = try d.ctl(D.helper2, ["household", a])
        #expect(unpaired == 5)

        // The treasurer pays: no address, no contacts; the auditor: masked, no address.
        let treasurer = try overview(D.tr)
        #expect(treasurer["household"]?["archive"]?["address"] == nil)
        #expect(treasurer["contacts"]?.array?.isEmpty == true && treasurer["cases"]?.array?.count == 1)
        let auditor = try overview(D.au)
        #expect(auditor["household"]?["archive"]?["address"] == nil)
        #expect(auditor["household"]?["archive"]?["head"]?["name"]?.string == "张*明")
        #expect(auditor["contacts"]?.array?.first?["note"]?.string == "***")

        // Search: a name's beginning (head or member) or an ID number, for those who see both.
        let byName = try d.ctlJSON(D.cw, ["archive", "search", "--name", "张三"]).array ?? []
        #expect(byName.count == 1 && byName.first?["name"]?.string == "张三明")
        let byMember = try d.ctlJSON(D.cw, ["archive", "search", "--id-number", "990101197803050427"]).array ?? []
        #expect(byMember.first?["archiveNo"]?.string == a)
        #expect(try d.ctlJSON(D.cw, ["archive", "search", "--name", "李秀"]).array?.first?["archiveNo"]?.string == a)
        #expect((try d.ctlJSON(D.cw, ["archive", "search", "--name", "王"]).array ?? []).isEmpty)
        #expect((try d.ctlJSON(D.cw, ["archive", "search", "--name", "三明"]).array ?? []).isEmpty, "a beginning")
        #expect(try d.ctl(D.tr, ["archive", "search", "--name", "张"]).0 == 4)
        #expect(try d.ctl(D.au, ["archive", "search", "--name", "张"]).0 == 4)
        #expect(try d.ctl(D.cw, ["archive", "search", "--id-number", "12345"]).0 == 1)
        // The caseworker's own list shows names in full now; the auditor's stays masked.
        #expect(try d.ctlJSON(D.cw, ["archive", "list"]).array?.first?["name"]?.string == "张三明")
        #expect(try d.ctlJSON(D.au, ["archive", "list"]).array?.first?["name"]?.string == "张*明")
        // In Chinese, a person reads it.
        let (_, text, _) = try d.ctl(D.cw, ["household", a], lang: "zh_CN.UTF-8")
        #expect(text.contains("家庭住址") && text.contains("个人自付医疗费用") && text.contains("¥800.00"), "\(text)")
    }

    @Test func reviewsDueOverdueAndAnExitSuggestion() throws {
        let d = try LiveDaemon()
        let a = try archive(d)
        #expect(try d.ctlJSON(D.au, ["care", "reviews-due"]).array?.isEmpty == true)
        _ = try d.ctlJSON(nil, ["clock", "advance", "370d"])
        let due = try d.ctlJSON(D.au, ["care", "reviews-due"]).array ?? []
        #expect(
            due.count == 1 && due.first?["overdue"]?.boolValue == true && due.first?["suggestExit"]?.boolValue == false)
        // Six consecutive months at or above the 低保 (¥1,060) suggest 脱困; one month below does not.
        for (m, yuan) in [
            ("2027-08", "1100"), ("2027-09", "1100"), ("2027-10", "1060"), ("2027-11", "1200"), ("2027-12", "1100"),
            ("2028-01", "1059.99"),
        ] {
            _ = try d.ctlJSON(D.cw, ["care", "income", a, m, yuan])
        }
        #expect(try d.ctlJSON(D.au, ["care", "reviews-due"]).array?.first?["suggestExit"]?.boolValue == false)
        // Issue 13.5: a month still to come (the clock is in February 2028) is refused.
        let (future, _, futureErr) = try d.ctl(D.cw, ["care", "income", a, "2028-03", "1300"])
        #expect(future == 1 && futureErr.contains("2028-03"), "\(futureErr)")
        _ = try d.ctlJSON(D.cw, ["care", "income", a, "2028-01", "1300"])
        #expect(try d.ctlJSON(D.au, ["care", "reviews-due"]).array?.first?["suggestExit"]?.boolValue == true)
        _ = try d.ctlJSON(D.cw, ["archive", "review", a])
        let after = try d.ctlJSON(D.au, ["care", "reviews-due"]).array ?? []
        #expect(after.first?["overdue"]?.boolValue == false, "reviewed: no longer overdue (the exit suggestion stays)")
    }

    @Test func receptionsCountReceivedAndHelped() throws {
        let d = try LiveDaemon()
        let a = try archive(d)
        _ = try d.ctlJSON(
            D.cw,
            [
                "care", "reception", "--unit", "b1", "--channel", "hotline_12351", "--kind", "legal_aid", "--outcome",
                "referred",
            ])
        _ = try d.ctlJSON(
            D.cw,
            ["care", "reception", "--unit", "b1", "--kind", "hardship_relief", "--outcome", "helped", "--archive", a])
        _ = try d.ctlJSON(D.cw, ["care", "reception", "--unit", "b1", "--kind", "petition", "--outcome", "not_helped"])
        #expect(try d.ctl(D.cw, ["care", "reception", "--unit", "b1", "--kind", "chat", "--outcome", "helped"]).0 == 1)
        let s = try d.ctlJSON(D.au, ["care", "receptions", "--from", "2027-01-01", "--to", "2027-12-31"])
        #expect(s["received"]?.int == 3 && s["helped"]?.int == 2 && s["byKind"]?["legal_aid"]?.int == 1)
        #expect(
            try d.ctl(D.au, ["care", "receptions", "--from", "2027-01-01", "--to", "2027-12-31"], lang: "zh_CN.UTF-8").1
                .contains("接待 3 人次，帮扶 2 人次"))
    }
}
