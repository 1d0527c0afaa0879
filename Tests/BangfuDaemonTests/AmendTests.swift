import BangfuVarlink
import Foundation
import Testing

/// Issue 13.15: correcting an application instead of withdrawing and filing again; every version
/// of the form kept and audited; a case filed again linked to the one it replaces.
@Suite(.serialized) struct AmendTests {
    typealias D = LiveDaemon

    @Test func aReturnedCaseIsAmendedAndEveryVersionIsKept() throws {
        let d = try LiveDaemon()
        let a = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let c = try #require(
            try d.ctlJSON(
                D.cw, ["case", "file", a, "medical-aid", "--form", "self_paid=800.00", "--form", "hospital=市立医院"]
            )["caseNo"]?.string)
        _ = try d.ctlJSON(D.cw, ["case", "submit", c])
        _ = try d.ctlJSON(D.rv, ["case", "return", c, "--reason", "缺少住院发票"])
        // Who may amend, and what an amendment must be.
        #expect(try d.ctl(D.rv, ["case", "amend", c, "--form", "self_paid=950.00", "--note", "改"]).0 == 4)
        #expect(try d.ctl(D.cw, ["case", "amend", c, "--form", "self_paid=800.00", "--note", "同"]).0 == 1, "no change")
        #expect(try d.ctl(D.cw, ["case", "amend", c, "--form", "self_paid=0", "--note", "零"]).0 == 1, "checked")
        #expect(try d.ctlJSON(D.au, ["case", "get", c])["forms"]?.array?.isEmpty == true, "refusals kept nothing")

        let amended = try d.ctlJSON(D.cw, ["case", "amend", c, "--form", "self_paid=950.00", "--note", "补充住院发票"])
        #expect(amended["state"]?.string == "returned" && amended["form"]?["self_paid_fen"]?.int == 95_000)
        #expect(amended["form"]?["hospital"]?.string == "市立医院", "fields not named stay as they were")
        let detail = try d.ctlJSON(D.cw, ["case", "get", c])
        let forms = detail["forms"]?.array ?? []
        #expect(forms.count == 2)
        #expect(forms.first?["version"]?.int == 1 && forms.first?["form"]?["self_paid_fen"]?.int == 80_000)
        #expect(forms.first?["note"]?.string == "原始申请" && forms.first?["actor"]?.string == "uid:\(D.cw)")
        #expect(forms.last?["version"]?.int == 2 && forms.last?["note"]?.string == "补充住院发票")
        #expect(detail["events"]?.array?.contains { $0["event"]?.string == "amend" } == true)
        // The auditor sees that it changed and the amounts, not the text.
        let audited = try d.ctlJSON(D.au, ["case", "get", c])["forms"]?.array ?? []
        #expect(audited.last?["note"]?.string == "***" && audited.last?["form"]?["self_paid_fen"]?.int == 95_000)

        // Back to review; once passed, the form is what was reviewed.
        _ = try d.ctlJSON(D.cw, ["case", "resubmit", c])
        _ = try d.ctlJSON(D.rv, ["case", "pass", c])
        #expect(try d.ctl(D.cw, ["case", "amend", c, "--form", "self_paid=999.00", "--note", "再改"]).0 == 1)
        // An upheld objection sends it back to review: it can be amended again.
        _ = try d.ctlJSON(D.ap, ["case", "approve", c])
        _ = try d.ctlJSON(D.cw, ["case", "object", c, "--summary", "群众反映自付费用有误"])
        _ = try d.ctlJSON(D.ap, ["case", "uphold", c, "--decision", "核实自付费用为 ¥900"])
        _ = try d.ctlJSON(D.cw, ["case", "amend", c, "--form", "self_paid=900.00", "--note", "按核实结果更正"])
        #expect(try d.ctlJSON(D.au, ["case", "get", c])["forms"]?.array?.count == 3)
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
        let (_, text, _) = try d.ctl(D.cw, ["case", "get", c], lang: "zh_CN.UTF-8")
        #expect(text.contains("申请表版本") && text.contains("修改申请") && text.contains("¥950.00"), "\(text)")
    }

    @Test func aCaseFiledAgainLinksToTheOneItReplaces() throws {
        let d = try LiveDaemon()
        let a = try #require(
            try d.ctlJSON(D.cw, ["archive", "create", "--file", try D.sampleArchive()])["archiveNo"]?.string)
        let first = try #require(
            try d.ctlJSON(D.cw, ["case", "file", a, "medical-aid", "--form", "self_paid=300.00"])["caseNo"]?.string)
        let open = try #require(
            try d.ctlJSON(D.cw, ["case", "file", a, "medical-aid", "--form", "self_paid=200.00"])["caseNo"]?.string)
        let file = ["case", "file", a, "medical-aid", "--form", "self_paid=350.00", "--replaces"]
        #expect(try d.ctl(D.cw, file + [open]).0 == 1, "a case still open is amended, not replaced")
        #expect(try d.ctl(D.cw, file + ["BF-2027-999999"]).0 == 5)
        _ = try d.ctlJSON(D.cw, ["case", "withdraw", first, "--reason", "金额填错，重新申请"])
        let again = try d.ctlJSON(D.cw, file + [first])
        #expect(again["replaces"]?.string == first)
        #expect(try d.ctl(D.cw, file + [first]).0 == 1, "replaced once")
        #expect(try d.ctlJSON(D.au, ["verify"])["ok"]?.boolValue == true)
    }
}
