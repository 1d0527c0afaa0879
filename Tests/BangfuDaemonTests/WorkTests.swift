import BangfuVarlink
import Foundation
import Testing

/// Issue 15.1 (daemon part): org.bangfu.Work.Mine, what waits for each caller per role, only in the
/// units they hold the role on; counts checked by hand against the cases the test made.
@Suite(.serialized) struct WorkTests {
    typealias D = LiveDaemon

    static func queue(_ mine: JSONValue, _ role: String, _ kind: String) -> JSONValue? {
        mine["roles"]?.array?.first { $0["role"]?.string == role }?["queues"]?.array?.first {
            $0["kind"]?.string == kind
        }
    }

    @Test func eachRoleSeesWhatWaitsForItInItsUnits() throws {
        let d = try LiveDaemon(yaml: ImportTests.yaml)
        // Two households (the import test's ledger), three applications each.
        let archives = try d.importTheSampleLedger().compactMap { $0["archiveNo"]?.string }.sorted()
        // At most two temporary aids a household a year: two hardship reliefs, then medical aid.
        var applications =
            archives.flatMap { archive in
                [["hardship-relief", "cause=disaster"], ["hardship-relief", "cause=serious_illness"]].map {
                    (archive, $0)
                }
            } + archives.map { archive in (archive, ["medical-aid", "self_paid=300.00"]) }
        try d.createTheSampleFund(helpTypes: ["hardship-relief", "medical-aid"])
        func file() throws -> String {
            let (archive, form) = applications.removeFirst()
            return try #require(
                try d.ctlJSON(D.cw, ["case", "file", archive, form[0], "--form", form[1]])["caseNo"]?.string)
        }
        // One draft, two submitted, one returned, one passed review, one past its notice.
        let draft = try file()
        let submitted = [try file(), try file()]
        for caseNo in submitted { _ = try d.ctlJSON(D.cw, ["case", "submit", caseNo]) }
        let returned = try file()
        _ = try d.ctlJSON(D.cw, ["case", "submit", returned])
        _ = try d.ctlJSON(D.rv, ["case", "return", returned, "--reason", "缺少证明"])
        let passed = try file()
        _ = try d.ctlJSON(D.cw, ["case", "submit", passed])
        _ = try d.ctlJSON(D.rv, ["case", "pass", passed])
        let paying = try file()
        _ = try d.ctlJSON(D.cw, ["case", "submit", paying])
        _ = try d.ctlJSON(D.rv, ["case", "pass", paying])
        _ = try d.ctlJSON(D.ap, ["case", "approve", paying])
        _ = try d.ctlJSON(nil, ["clock", "advance", "20d"])

        let caseworker = try d.ctlJSON(D.cw, ["work"])
        #expect(Self.queue(caseworker, "caseworker", "drafts")?["count"]?.int == 1)
        #expect(Self.queue(caseworker, "caseworker", "returned")?["items"]?.array?.first?["ref"]?.string == returned)
        let reviewer = try d.ctlJSON(D.rv, ["work"])
        let toReview = Self.queue(reviewer, "reviewer", "to_review")
        #expect(toReview?["count"]?.int == 2, "\(reviewer)")
        #expect(Set(toReview?["items"]?.array?.compactMap { $0["ref"]?.string } ?? []) == Set(submitted))
        // The reviewer reads the full name (张三明's household filed first), the unit by name.
        #expect(toReview?["items"]?.array?.first?["label"]?.string?.hasPrefix("张三明 特困救助") == true, "\(reviewer)")
        #expect(toReview?["items"]?.array?.first?["unit"]?.string == "一厂工会")
        let approver = try d.ctlJSON(D.ap, ["work"])
        #expect(Self.queue(approver, "approver", "to_approve")?["items"]?.array?.map { $0["ref"]?.string } == [passed])
        let treasurer = try d.ctlJSON(D.tr, ["work"])
        #expect(Self.queue(treasurer, "treasurer", "to_pay")?["count"]?.int == 1)
        #expect(Self.queue(treasurer, "treasurer", "to_pay")?["items"]?.array?.first?["ref"]?.string == paying)
        // Paid, it leaves the treasurer's work.
        _ = try d.ctlJSON(D.tr, ["case", "pay", paying, "--fund", "f1"])
        #expect(Self.queue(try d.ctlJSON(D.tr, ["work"]), "treasurer", "to_pay") == nil)
        // Another unit's caseworker sees none of it; the auditor has nothing waiting; no role, no answer.
        let other = try d.ctlJSON(ImportTests.otherCaseworker, ["work"])
        #expect(other["roles"]?.array?.map { $0["role"]?.string } == ["caseworker"])
        #expect(other["roles"]?.array?.first?["queues"]?.array?.isEmpty == true, "\(other)")
        #expect(
            try d.ctlJSON(D.au, ["work"])["roles"]?.array?.allSatisfy { $0["queues"]?.array?.isEmpty == true } == true)
        #expect(try d.ctl(D.nobody, ["work"]).0 == 4)
        // In Chinese, for a person at a terminal.
        let (code, text, _) = try d.ctl(D.rv, ["work"], lang: "zh_CN.UTF-8")
        #expect(code == 0 && text.contains("【初审人】") && text.contains("待初审：2") && text.contains(submitted[0]))
        _ = draft
    }
}
