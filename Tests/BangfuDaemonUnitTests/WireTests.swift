@testable import BangfuDaemon
import BangfuCore
import BangfuVarlink
import Foundation
import Testing

/// The hand-built reply JSON of the case calls is what Codable would have written.
@Suite struct WireTests {
    func codable<T: Encodable>(_ v: T) throws -> JSONValue { try JSONValue(encoding: v) }

    @Test func handBuiltJSONMatchesCodable() throws {
        var c = HelpCase(
            id: 7, caseNo: "BF-2027-000007", householdId: 3, unitId: "b1", helpType: "micro-loan", filedBy: "uid:61001",
            formJSON: #"{"amount":"5000.00","purpose":"开店"}"#)
        #expect(
            try Wire.Case(c, archiveNo: "HA-2027-000003").json == codable(Wire.Case(c, archiveNo: "HA-2027-000003")))
        c.state = .active
        c.reviewedBy = "uid:61002"
        c.approvedBy = "uid:61003"
        c.plan = .loan(principal: Money(yuan: 5000), termMonths: 24)
        c.noticeDeadline = Date(timeIntervalSince1970: 1_803_427_200)
        c.frozenRemainingDays = 3
        c.instalmentsPaid = 1
        c.repaid = Money(fen: 12_345)
        c.reason = "理由"
        #expect(
            try Wire.Case(c, archiveNo: "HA-2027-000003").json == codable(Wire.Case(c, archiveNo: "HA-2027-000003")))
        for plan in [PaymentPlan.oneOff(Money(yuan: 800)), .monthly(Money(yuan: 300), months: 6), .nonMonetary] {
            #expect(try Wire.Plan(plan).json == codable(Wire.Plan(plan)))
        }
        for comment in [nil, "退回补充材料"] {
            let e = Wire.Event(
                CaseEventRecord(
                    at: Date(timeIntervalSince1970: 1_800_000_000), actor: "uid:61002", event: .returnForInfo,
                    from: .submitted, to: .returned, comment: comment))
            #expect(try e.json == codable(e))
        }
        let p = Wire.Payment(
            Disbursement(
                caseId: 7, instalment: 1, fundId: "f1", amount: Money(fen: 500_000),
                paidAt: Date(timeIntervalSince1970: 1_800_000_000), paidBy: "uid:61004", alreadyPaid: false))
        #expect(try p.json == codable(p))
        // ControlAPI's entry point takes the hand-built path for single values and lists alike.
        #expect(try ControlAPI.json([p, p]) == codable([p, p]))
    }
}
