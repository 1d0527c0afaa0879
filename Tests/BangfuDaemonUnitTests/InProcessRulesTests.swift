@testable import BangfuDaemon
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation
import Testing

/// The rules through bangfud's real handlers, in-process: what a hostile caller gets, without a socket.
@Suite struct InProcessRulesTests {
    static let caseworker: UInt32 = 63_001, reviewer: UInt32 = 63_002, siblingReviewer: UInt32 = 63_003
    static let treasurer: UInt32 = 63_004, siblingTreasurer: UInt32 = 63_005, auditor: UInt32 = 63_006
    static let approver: UInt32 = 63_007

    static var yaml: String {
        """
        calendars:
          - file: \(InProcessDaemon.root.path)/etc/calendars/2027.synthetic.yaml
        dibao:
          - { region: "370200", effective: 2025-07-01, monthly: "1060.00" }
        units:
          - { id: city, name: 市, level: city }
          - { id: county, name: 区, parent: city, level: county }
          - { id: county2, name: 另一区, parent: city, level: county }
          - { id: b1, name: 一厂, parent: county, level: grassroots }
          - { id: b2, name: 二厂, parent: county2, level: grassroots }
        grants:
          - { user: "uid:\(caseworker)", role: caseworker, unit: b1 }
          - { user: "uid:\(reviewer)", role: reviewer, unit: b1 }
          - { user: "uid:\(siblingReviewer)", role: reviewer, unit: b2 }
          - { user: "uid:\(treasurer)", role: treasurer, unit: county }
          - { user: "uid:\(siblingTreasurer)", role: treasurer, unit: county2 }
          - { user: "uid:\(auditor)", role: auditor, unit: city }
          - { user: "uid:\(approver)", role: approver, unit: county }
        """
    }

    static func archive(_ n: Int, income: Int64 = 1_200_000) -> JSONValue {
        .object([
            "unitId": .string("b1"), "region": .string("370202"),
            "head": .object([
                "name": .string("户主\(n)"), "idNumber": .string(IDNumber.synthetic(index: 30_000_000 + n).value),
                "workStatus": .string("laid_off"),
            ]),
            "annualIncome": .int(income), "mainCause": .string("laid_off"),
        ])
    }

    @Test(arguments: [false, true]) func aHostileCallerIsAnsweredAndTheDaemonCarriesOn(postgres: Bool) async throws {
        let daemon = try await InProcessDaemon(yaml: Self.yaml, postgres: postgres)
        // The call that crashed bangfud, answered with InvalidInput naming the field.
        let crash = await daemon.call(
            .archiveCreate, ["archive": Self.archive(1, income: 100_000_000_000_000_000)], as: Self.caseworker)
        #expect(crash.last?.error == "org.bangfu.Archive.InvalidInput")
        #expect(crash.last?.parameters?["messageEn"]?.stringValue?.contains("annualIncome") == true)

        let created = await daemon.call(.archiveCreate, ["archive": Self.archive(2)], as: Self.caseworker)
        let archiveNo = try #require(created.last?.parameters?["household"]?.objectValue?["archiveNo"]?.stringValue)
        let filed = await daemon.call(
            .casesFile,
            [
                "archiveNo": .string(archiveNo), "helpType": .string("hardship-relief"),
                "form": .object(["cause": .string("disaster")]),
            ],
            as: Self.caseworker)
        let caseNo = try #require(filed.last?.parameters?["case"]?.objectValue?["caseNo"]?.stringValue, "\(filed)")
        _ = await daemon.call(.casesSubmit, ["caseNo": .string(caseNo)], as: Self.caseworker)
        _ = await daemon.call(
            .casesReturnForInfo, ["caseNo": .string(caseNo), "reason": .string("请补充张三的医院证明")], as: Self.reviewer)
        _ = await daemon.call(.casesResubmit, ["caseNo": .string(caseNo)], as: Self.caseworker)

        // The auditor reads the case with its free text hidden (the form's text, the comments); the
        // caseworker reads it whole.
        let audited = try #require(
            await daemon.call(.casesGet, ["caseNo": .string(caseNo)], as: Self.auditor).last?.parameters)
        let worked = try #require(
            await daemon.call(.casesGet, ["caseNo": .string(caseNo)], as: Self.caseworker).last?.parameters)
        #expect(audited["case"]?.objectValue?["form"]?.objectValue?["cause"]?.stringValue == "***")
        #expect(worked["case"]?.objectValue?["form"]?.objectValue?["cause"]?.stringValue == "disaster")
        let auditedComments =
            audited["events"]?.arrayValue?.compactMap { $0.objectValue?["comment"]?.stringValue } ?? []
        let workedComments = worked["events"]?.arrayValue?.compactMap { $0.objectValue?["comment"]?.stringValue } ?? []
        #expect(auditedComments == ["***"] && workedComments == ["请补充张三的医院证明"], "\(auditedComments) \(workedComments)")

        // A reviewer of another county is told the case does not exist, word for word; and its state stays unknown.
        let refused = await daemon.call(.casesPassReview, ["caseNo": .string(caseNo)], as: Self.siblingReviewer)
        let missing = await daemon.call(
            .casesPassReview, ["caseNo": .string("BF-2027-999999")], as: Self.siblingReviewer)
        #expect(refused.last?.error == "org.bangfu.Cases.NotFound")
        #expect(
            refused.last?.parameters?["messageEn"]?.stringValue?.replacingOccurrences(
                of: caseNo, with: "BF-2027-999999")
                == missing.last?.parameters?["messageEn"]?.stringValue)
        let read = await daemon.call(.casesGet, ["caseNo": .string(caseNo)], as: Self.siblingReviewer)
        #expect(read.last?.error == "org.bangfu.Cases.NotFound")
        // The reviewer of the case's own branch passes it.
        let passed = await daemon.call(.casesPassReview, ["caseNo": .string(caseNo)], as: Self.reviewer)
        #expect(passed.last?.parameters?["case"]?.objectValue?["state"]?.stringValue == "branch_review_passed")

        // Funds: a fund another county's treasurer cannot see is "not found"; absurd amounts are InvalidInput.
        _ = await daemon.call(
            .fundsCreate,
            [
                "id": .string("f1"), "name": .string("资金"), "unitId": .string("county"),
                "source": .string("union_funds"),
                "helpTypes": .array([.string("hardship-relief")]),
            ], as: Self.treasurer)
        let foreign = await daemon.call(
            .fundsDeposit, ["fundId": .string("f1"), "amount": .int(100), "memo": .string("入账")],
            as: Self.siblingTreasurer)
        #expect(foreign.last?.error == "org.bangfu.Funds.NotFound")
        for amount: Int64 in [0, -1, 100_000_000_001, Int64.max] {
            let deposit = await daemon.call(
                .fundsDeposit, ["fundId": .string("f1"), "amount": .int(amount), "memo": .string("入账")],
                as: Self.treasurer)
            #expect(deposit.last?.error == "org.bangfu.Funds.InvalidInput", "deposit \(amount)")
        }
        let verified = await daemon.call(.adminVerifyAudit, as: 0)
        #expect(verified.last?.parameters?["ok"]?.boolValue == true, "\(verified)")
    }

    /// Every number, amount and date a method takes, at its edges: zero, negative, one past the
    /// documented maximum, the largest integer, far past and far future dates, impossible dates;
    /// each refused with InvalidInput naming the field, and the daemon answers the next call.
    /// On both stores: what reaches PostgreSQL is refused as on SQLite (issue 16).
    @Test(arguments: [false, true]) func valuesAtTheEdgesAreRefusedByName(postgres: Bool) async throws {
        let daemon = try await InProcessDaemon(yaml: Self.yaml, postgres: postgres)
        let created = await daemon.call(.archiveCreate, ["archive": Self.archive(3)], as: Self.caseworker)
        let archiveNo = try #require(created.last?.parameters?["household"]?.objectValue?["archiveNo"]?.stringValue)
        for id in ["f1", "f2"] {
            _ = await daemon.call(
                .fundsCreate,
                [
                    "id": .string(id), "name": .string("资金"), "unitId": .string("county"),
                    "source": .string("union_funds"),
                    "helpTypes": .array([.string("hardship-relief")]),
                ], as: Self.treasurer)
        }
        let badDates = [
            "0001-01-01", "9999-12-31", "1999-12-31", "2200-01-01", "2027-13-45", "2027-02-30", "", "yesterday",
        ]
        var catalogue: [(WireMethod, [String: JSONValue], UInt32, String)] = []
        for date in badDates {
            catalogue.append(
                (
                    .fundsLedger, ["fundId": .string("f1"), "from": .string(date), "to": .string("2027-12-31")],
                    Self.treasurer, "from"
                ))
            catalogue.append(
                (
                    .fundsLedger, ["fundId": .string("f1"), "from": .string("2027-01-01"), "to": .string(date)],
                    Self.treasurer, "to"
                ))
            catalogue.append(
                (.fundsStatement, ["from": .string(date), "to": .string("2027-12-31")], Self.auditor, "from"))
            catalogue.append(
                (.careReceptionSummary, ["from": .string("2027-01-01"), "to": .string(date)], Self.caseworker, "to"))
        }
        catalogue.append(
            (.fundsStatement, ["from": .string("2027-12-31"), "to": .string("2027-01-01")], Self.auditor, "from"))
        for days in [-1, 367, Int64(Int32.max), Int64.max] {
            catalogue.append((.careReviewsDue, ["days": .int(days)], Self.caseworker, "days"))
        }
        for amount: Int64 in [0, -1, 100_000_000_001, Int64.max, Int64.min] {
            catalogue.append(
                (
                    .fundsTransfer,
                    ["from": .string("f1"), "to": .string("f2"), "amount": .int(amount), "reason": .string("调剂")],
                    Self.approver, "amount"
                ))
            catalogue.append(
                (
                    .fundsDeposit, ["fundId": .string("f1"), "amount": .int(amount), "memo": .string("入账")],
                    Self.treasurer, "amount"
                ))
        }
        for amount: Int64 in [-1, 100_000_000_001, Int64.max] {
            catalogue.append(
                (
                    .careRecordIncome,
                    ["archiveNo": .string(archiveNo), "month": .string("2027-01"), "perCapitaMonthly": .int(amount)],
                    Self.caseworker, "perCapita"
                ))
        }
        for month in ["2027-13", "1999-01", "2101-01", "27-01", ""] {
            catalogue.append(
                (
                    .careRecordIncome,
                    ["archiveNo": .string(archiveNo), "month": .string(month), "perCapitaMonthly": .int(1)],
                    Self.caseworker, "month"
                ))
        }
        for limit: Int64 in [0, -1, 1_001, Int64.max] {
            catalogue.append((.archiveList, ["limit": .int(limit)], Self.caseworker, "limit"))
        }
        for (method, parameters, uid, field) in catalogue {
            let more = [.fundsLedger, .archiveList].contains(method)
            let reply = await daemon.call(method, parameters, as: uid, more: more).last
            #expect(
                reply?.error == "\(method.interface).InvalidInput",
                "\(method.rawValue) \(parameters): \(String(describing: reply))")
            #expect(
                reply?.parameters?["messageEn"]?.stringValue?.contains(field) == true,
                "\(method.rawValue) \(parameters) names \(field)")
            let next = await daemon.call(.adminGetClock, as: uid)
            #expect(next.last?.error == nil, "the daemon answers the next call")
        }
        #expect(catalogue.count > 50)
    }

    /// A fund's ledger comes in pages too: five deposits in pages of two, then nothing more.
    @Test func aLedgerComesInPages() async throws {
        let daemon = try await InProcessDaemon(yaml: Self.yaml)
        _ = await daemon.call(
            .fundsCreate,
            [
                "id": .string("f1"), "name": .string("资金"), "unitId": .string("county"),
                "source": .string("union_funds"),
                "helpTypes": .array([.string("hardship-relief")]),
            ], as: Self.treasurer)
        for amount: Int64 in 1...5 {
            _ = await daemon.call(
                .fundsDeposit, ["fundId": .string("f1"), "amount": .int(amount), "memo": .string("入账")],
                as: Self.treasurer)
        }
        var amounts: [Int64] = []
        var after: JSONValue?
        var pages = 0
        repeat {
            var parameters: [String: JSONValue] = [
                "fundId": .string("f1"), "from": .string("2027-01-01"), "to": .string("2027-12-31"), "limit": .int(2),
            ]
            if let after { parameters["after"] = after }
            let replies = await daemon.call(.fundsLedger, parameters, as: Self.treasurer, more: true)
            #expect(replies.count <= 2 && replies.allSatisfy { $0.error == nil }, "\(replies)")
            amounts += replies.compactMap {
                if case .int(let fen)? = $0.parameters?["line"]?.objectValue?["amount"] { fen } else { nil }
            }
            after = replies.last?.parameters?["next"]
            pages += 1
        } while after != nil && pages < 10
        #expect(pages == 3 && amounts == [1, 2, 3, 4, 5], "\(pages) pages: \(amounts)")
    }
}
