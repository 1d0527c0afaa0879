import BangfuConfig
import BangfuCore
import BangfuStore
import Foundation
import Testing

/// Every write the store offers, by every role, with the record's unit being the caller's own, a
/// descendant's, a sibling's and an ancestor's. The expected outcome of each cell is written out
/// here by hand. A refused cell changes nothing (every row of every table compared), and a caller
/// who may not read the record is told exactly what a caller naming a missing record is told.
@Suite struct CrossUnitMatrixTests {
    /// Outcomes: `O` done, `D` permission denied, `N` not found (as if the record did not exist).
    enum Outcome: Character { case done = "O", denied = "D", notFound = "N" }

    /// Roles in column order of the expectation strings below.
    static let roles = ["caseworker", "reviewer", "approver", "treasurer", "auditor", "helper"]
    /// Where the caller's grant is, seen from the record, which lives in `county`.
    static let relations = ["own": "county", "ancestor": "city", "sibling": "county2", "descendant": "b1"]

    /// operation -> relation -> one outcome per role (caseworker, reviewer, approver, treasurer, auditor, helper).
    static let expected: [String: [String: String]] = [
        "archive.update": ["own": "ODDDDN", "ancestor": "ODDDDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "archive.review": ["own": "ODDDDN", "ancestor": "ODDDDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "archive.exit": ["own": "DDODDN", "ancestor": "DDODDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "archive.reenter": ["own": "ODDDDN", "ancestor": "ODDDDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "case.file": ["own": "ODDDDN", "ancestor": "ODDDDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "case.submit": ["own": "ODDDDN", "ancestor": "ODDDDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "case.passReview": ["own": "DODDDN", "ancestor": "DODDDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "case.approve": ["own": "DDODDN", "ancestor": "DDODDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "case.withdraw": ["own": "ODDDDN", "ancestor": "ODDDDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "case.pay": ["own": "DDDODN", "ancestor": "DDDODN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "case.payAgain": ["own": "DDDODN", "ancestor": "DDDODN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        // Funds are read by treasurers, approvers and auditors only: the others are told "not found".
        "fund.deposit": ["own": "NNDODN", "ancestor": "NNDODN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
        "fund.transfer": ["own": "NNODDN", "ancestor": "NNODDN", "sibling": "NNNNNN", "descendant": "NNNNNN"],
    ]

    /// The fixture's grants plus one user per role and relation (`caseworker-own`, ...), and the
    /// people who set records up (they are never the callers, so separation of duties stays out of the way).
    static let grants: String = {
        var lines = ["grants:"]
        for role in roles {
            for (relation, unit) in relations.sorted(by: { $0.key < $1.key }) {
                lines.append("  - { user: \(role)-\(relation), role: \(role), unit: \(unit) }")
            }
        }
        for (user, role) in [
            ("setup-cw", "caseworker"), ("setup-rv", "reviewer"), ("setup-ap", "approver"), ("setup-tr", "treasurer"),
        ] {
            lines.append("  - { user: \(user), role: \(role), unit: city }")
        }
        return lines.joined(separator: "\n")
    }()

    @Test(arguments: Engine.allCases) func everyWriteByEveryRoleFromEveryUnit(engine: Engine) async throws {
        // Replace the fixture's own grants with the matrix's.
        let fx = try await Fixture(engine: engine, grantsYAML: Self.grants, synchronousFull: false)
        try await fx.fund("f1", unit: "county", treasurer: "setup-tr")
        try await fx.fund("f2", unit: "county", yuan: 0, treasurer: "setup-tr")
        var cells = 0
        var changedByRule = 0
        for (operation, byRelation) in Self.expected.sorted(by: { $0.key < $1.key }) {
            for (relation, outcomes) in byRelation.sorted(by: { $0.key < $1.key }) {
                #expect(outcomes.count == Self.roles.count, "\(operation)/\(relation): one outcome per role")
                for (role, symbol) in zip(Self.roles, outcomes) {
                    let expected = try #require(Outcome(rawValue: symbol))
                    let caller = fx.actor("\(role)-\(relation)")
                    let target = try await prepare(operation, fx)
                    let before = try fx.snapshot()
                    let got: Outcome
                    do {
                        try await run(operation, on: target, by: caller, fx)
                        got = .done
                    } catch let error as BangfuError where error.code == .permissionDenied {
                        got = .denied
                    } catch let error as BangfuError where error.code == .notFound {
                        got = .notFound
                        // Word for word what a missing record gets.
                        #expect(
                            error.zh == "\(target.labelZh) \(target.key) 不存在",
                            "\(operation) by \(role)-\(relation): \(error.zh)")
                        #expect(error.en == "\(target.labelEn) \(target.key) does not exist")
                    }
                    #expect(
                        got == expected,
                        "\(operation) by \(role) of the \(relation) unit: \(got) instead of \(expected)")
                    if got != .done {
                        #expect(
                            try fx.snapshot() == before,
                            "\(operation) by \(role)-\(relation) was refused but changed the store")
                    }
                    if got == .notFound { changedByRule += 1 }
                    cells += 1
                }
            }
        }
        #expect(cells == Self.expected.count * 4 * Self.roles.count)
        print("cross-unit matrix: \(cells) cells, \(changedByRule) answered as not found")
    }

    /// What a cell acts on: an archive, a case or a fund, with the key a caller would name.
    struct Target {
        var archiveId: Int64 = 0
        var caseId: Int64 = 0
        var labelZh: String
        var labelEn: String
        var key: String
    }

    /// A fresh record in `county` in the state the operation needs, set up by the setup users.
    func prepare(_ operation: String, _ fx: Fixture) async throws -> Target {
        let setupCW = fx.actor("setup-cw")
        let archive = try await fx.store.createArchive(fx.input(unit: "county"), by: setupCW, at: fx.tick())
        var target = Target(archiveId: archive.id, labelZh: "档案", labelEn: "archive", key: archive.archiveNo)
        switch operation {
        case "archive.reenter":
            _ = try await fx.store.exitArchive(
                id: archive.id, reason: .incomeAboveLine, note: "脱困", by: fx.actor("setup-ap"), at: fx.tick())
        case "fund.deposit", "fund.transfer":
            (target.labelZh, target.labelEn) = ("资金账户", "fund")
            target.key = "f1"
        case let op where op.hasPrefix("case.") && op != "case.file":
            let filed = try await fx.store.fileCase(
                householdId: archive.id, helpType: "hardship-relief", by: setupCW, at: fx.tick())
            target.caseId = filed.id
            (target.labelZh, target.labelEn) = ("案件", "case")
            target.key = filed.caseNo
            let steps: [(CaseEvent, String)] = [
                (.submit, "setup-cw"), (.passReview(comment: nil), "setup-rv"),
                (.approve(plan: .oneOff(Money(yuan: 10))), "setup-ap"),
            ]
            let needed = [
                "case.submit": 0, "case.withdraw": 1, "case.passReview": 1, "case.approve": 2, "case.pay": 3,
                "case.payAgain": 3,
            ][op]!
            for (event, user) in steps.prefix(needed) {
                _ = try await fx.store.apply(event, toCase: filed.id, by: fx.actor(user), at: fx.tick())
            }
            if needed == 3 {
                _ = try await fx.store.apply(
                    .noticeElapsed, toCase: filed.id, by: .system, at: fx.now.addingTimeInterval(30 * 86_400))
                _ = try await fx.store.apply(
                    .scheduleDisbursement, toCase: filed.id, by: .system, at: fx.now.addingTimeInterval(30 * 86_400))
                if op == "case.payAgain" {
                    _ = try await fx.store.apply(
                        .payInstalment(number: 1, fund: "f1"), toCase: filed.id, by: fx.actor("setup-tr"),
                        at: fx.now.addingTimeInterval(30 * 86_400))
                }
            }
        default:
            break
        }
        return target
    }

    func run(_ operation: String, on target: Target, by caller: Actor, _ fx: Fixture) async throws {
        let store = fx.store
        let later = fx.now.addingTimeInterval(31 * 86_400)
        switch operation {
        case "archive.update":
            var input = try await store.household(id: target.archiveId).input
            input.urgentNeeds = "冬季取暖"
            _ = try await store.updateArchive(id: target.archiveId, input, by: caller, at: fx.tick())
        case "archive.review":
            _ = try await store.reviewArchive(id: target.archiveId, by: caller, at: fx.tick())
        case "archive.exit":
            _ = try await store.exitArchive(
                id: target.archiveId, reason: .incomeAboveLine, note: "脱困", by: caller, at: fx.tick())
        case "archive.reenter":
            let input = try await store.household(id: target.archiveId).input
            _ = try await store.reenterArchive(id: target.archiveId, input, by: caller, at: fx.tick())
        case "case.file":
            _ = try await store.fileCase(
                householdId: target.archiveId, helpType: "hardship-relief", by: caller, at: fx.tick())
        case "case.submit":
            _ = try await store.apply(.submit, toCase: target.caseId, by: caller, at: fx.tick())
        case "case.passReview":
            _ = try await store.apply(.passReview(comment: nil), toCase: target.caseId, by: caller, at: fx.tick())
        case "case.approve":
            _ = try await store.apply(
                .approve(plan: .oneOff(Money(yuan: 10))), toCase: target.caseId, by: caller, at: fx.tick())
        case "case.withdraw":
            _ = try await store.apply(.withdraw(reason: "撤回"), toCase: target.caseId, by: caller, at: fx.tick())
        case "case.pay", "case.payAgain":
            _ = try await store.apply(
                .payInstalment(number: 1, fund: "f1"), toCase: target.caseId, by: caller, at: later)
        case "fund.deposit":
            try await store.deposit(fundId: "f1", amount: Money(yuan: 1), memo: "入账", by: caller, at: fx.tick())
        case "fund.transfer":
            _ = try await store.requestTransfer(
                from: "f1", to: "f2", amount: Money(yuan: 1), reason: "调剂", by: caller, at: fx.tick())
        default:
            Issue.record("no such operation \(operation)")
        }
    }
}
