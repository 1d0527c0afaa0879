@testable import BangfuDaemon
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation
import Testing

/// The wire types generated from the IDL: what they write (keys, absent optionals) and what they
/// refuse (naming the field), against JSON written out by hand here.
@Suite struct WireTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(text.utf8) }

    @Test func aCaseIsWrittenWithItsOptionalsLeftOut() throws {
        var helpCase = HelpCase(
            id: 7, caseNo: "BF-2027-000007", householdId: 3, unitId: "b1", helpType: "micro-loan",
            filedBy: "uid:61001", formJSON: #"{"amount":"5000.00","purpose":"开店"}"#)
        #expect(
            Wire.Cases.Case(helpCase, archiveNo: "HA-2027-000003").json
                == (try parse(
                    """
                    {"id":7,"caseNo":"BF-2027-000007","archiveNo":"HA-2027-000003","unitId":"b1",
                     "helpType":"micro-loan","state":"draft","form":{"amount":"5000.00","purpose":"开店"},
                     "filedBy":"uid:61001","instalmentsPaid":0,"repaid":0}
                    """)))
        helpCase.state = .active
        helpCase.reviewedBy = "uid:61002"
        helpCase.plan = .loan(principal: Money(yuan: 5000), termMonths: 24)
        helpCase.frozenRemainingDays = 3
        helpCase.repaid = Money(fen: 12_345)
        #expect(
            Wire.Cases.Case(helpCase, archiveNo: "HA-2027-000003").json
                == (try parse(
                    """
                    {"id":7,"caseNo":"BF-2027-000007","archiveNo":"HA-2027-000003","unitId":"b1",
                     "helpType":"micro-loan","state":"active","form":{"amount":"5000.00","purpose":"开店"},
                     "filedBy":"uid:61001","reviewedBy":"uid:61002",
                     "plan":{"kind":"loan","amount":500000,"termMonths":24,"total":500000},
                     "frozenRemainingDays":3,"instalmentsPaid":0,"repaid":12345}
                    """)))
    }

    @Test func whatIsWrittenReadsBackTheSame() throws {
        let reply = Wire.Cases.Get.Reply(
            case: Wire.Cases.Case(
                id: 1, caseNo: "BF-1", archiveNo: "HA-1", unitId: "u", helpType: "t", state: "draft",
                form: ["n": .int(3)], filedBy: "a",
                plan: Wire.Cases.Plan(kind: "monthly", amount: 1, months: 6, total: 6),
                instalmentsPaid: 0, repaid: 0),
            events: [Wire.Cases.Event(at: "t", actor: "a", event: "submit", from: "draft", to: "submitted")],
            payments: [], forms: [Wire.Cases.FormVersion(version: 1, at: "t", actor: "a", note: "原始申请", form: [:])])
        #expect(try Wire.Cases.Get.Reply(parameters: reply.fields) == reply)
        let summary = Wire.Care.ReceptionSummary.Reply(received: 4, helped: 2, byKind: ["法律": 1, "就业": 3])
        #expect(try Wire.Care.ReceptionSummary.Reply(parameters: summary.fields) == summary)
    }

    /// The text written straight (`write(to:)`, every reply bangfud sends) is the text of `json`:
    /// keys sorted, absent optionals left out, escapes, nested lists, maps and objects; and the reply
    /// around it is the one the values would give, written out here by hand.
    @Test func theTextWrittenStraightIsTheTextOfTheValues() throws {
        let reply = Wire.Cases.Get.Reply(
            case: Wire.Cases.Case(
                id: 9_223_372_036_854_775_807, caseNo: "BF-\"1\"\\", archiveNo: "HA-1", unitId: "单位\n",
                helpType: "t", state: "draft", form: ["z": .int(-3), "a": .array([.bool(true), .null])], filedBy: "a",
                plan: Wire.Cases.Plan(kind: "monthly", amount: 1, months: 6, total: 6),
                instalmentsPaid: 0, repaid: -1, reason: "\u{1}"),
            events: [
                Wire.Cases.Event(at: "t", actor: "a", event: "submit", from: "draft", to: "submitted", comment: "好")
            ],
            payments: [], forms: [Wire.Cases.FormVersion(version: 1, at: "t", actor: "a", note: "", form: [:])])
        let summary = Wire.Care.ReceptionSummary.Reply(received: 4, helped: 2, byKind: ["法律": 1, "就业": 3, "a": 0])
        func written(_ value: some WireValue) -> String {
            var out: [UInt8] = []
            value.write(to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(written(reply) == String(decoding: reply.json.jsonBytes, as: UTF8.self))
        #expect(written(summary) == String(decoding: summary.json.jsonBytes, as: UTF8.self))
        #expect(
            written(summary)
                == #"{"byKind":{"a":0,"就业":3,"法律":1},"helped":2,"received":4}"#)
        #expect(
            String(decoding: VarlinkReply(parametersText: Array(written(summary).utf8)).jsonBytes, as: UTF8.self)
                == #"{"parameters":{"byKind":{"a":0,"就业":3,"法律":1},"helped":2,"received":4}}"#)
        #expect(VarlinkReply(parametersText: Array(written(summary).utf8)) == VarlinkReply(parameters: summary.fields))
    }

    /// Each refusal names the field a person would have to correct, down to a member of a list.
    @Test func aRefusalNamesTheField() throws {
        func refused<Call: WireCall>(_ type: Call.Type, _ text: String) throws -> String? {
            do {
                _ = try Call(parameters: try parse(text).objectValue)
                return nil
            } catch let error as WireDecodingError {
                return error.field
            }
        }
        let person = #"{"name":"张三","idNumber":"370202197001010011","workStatus":"laid_off"}"#
        let archive = #""unitId":"u","region":"370202","annualIncome":0,"mainCause":"illness""#
        #expect(try refused(Wire.Cases.Pay.self, #"{"caseNo":"BF-1","instalment":1.5,"fundId":"f"}"#) == "instalment")
        #expect(try refused(Wire.Cases.Pay.self, #"{"caseNo":"BF-1","fundId":"f"}"#) == "instalment")
        #expect(try refused(Wire.Cases.Pay.self, #"{"caseNo":"BF-1","instalment":1e30,"fundId":"f"}"#) == "instalment")
        #expect(try refused(Wire.Cases.Pay.self, #"{"caseNo":null,"instalment":1,"fundId":"f"}"#) == "caseNo")
        #expect(try refused(Wire.Cases.File.self, #"{"archiveNo":"HA-1","helpType":"t","form":[]}"#) == "form")
        #expect(
            try refused(
                Wire.Archive.Create.self,
                #"{"archive":{\#(archive),"head":{"name":"张三","idNumber":370202197001010011,"workStatus":"x"}}}"#)
                == "archive.head.idNumber")
        #expect(
            try refused(
                Wire.Archive.Create.self,
                #"{"archive":{\#(archive),"head":\#(person),"members":[{"name":"李四","idNumber":"x","relation":"spouse"},{"idNumber":"y","relation":"child"}]}}"#
            ) == "archive.members.1.name")
        #expect(try refused(Wire.Care.ReceptionSummary.self, #"{"from":"2027-01-01","to":7}"#) == "to")
        // Accepted: an optional given as null or left out, a key the IDL does not have.
        #expect(try refused(Wire.Cases.PassReview.self, #"{"caseNo":"BF-1","comment":null,"extra":1}"#) == nil)
        #expect(try refused(Wire.Archive.Create.self, #"{"archive":{\#(archive),"head":\#(person)}}"#) == nil)
    }
}
