import BangfuCore
import BangfuStore
import Foundation
import GRDB
import Testing

@Suite struct ArchiveTests {
    @Test(arguments: Engine.allCases) func onePersonOneOpenArchive(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let first = try await fx.archive()
        var other = fx.input()
        other.members.append(
            Member(name: first.input.head.name, idNumber: first.input.head.idNumber, relation: "parent"))
        do {
            _ = try await fx.store.createArchive(other, by: fx.actor("cw"), at: fx.tick())
            Issue.record("a person was put in two open archives")
        } catch let e as BangfuError {
            #expect(e.code == .personInOtherArchive)
            #expect(
                e.zh.contains(first.archiveNo) && e.en.contains(first.archiveNo), "the error names the other archive")
            #expect(!e.en.contains(first.input.head.idNumber.value), "never the full ID number")
        }
        // The same person twice in one household is refused too.
        var twice = fx.input()
        twice.members.append(Member(name: "重复", idNumber: twice.head.idNumber, relation: "child"))
        await #expect(throws: BangfuError.self) {
            try await fx.store.createArchive(twice, by: fx.actor("cw"), at: fx.tick())
        }
        // Closed archives free their people; re-entry checks again.
        _ = try await fx.store.exitArchive(
            id: first.id, reason: .incomeAboveLine, note: "连续 6 个月收入高于低保", by: fx.actor("ap"), at: fx.tick())
        let moved = try await fx.store.createArchive(other, by: fx.actor("cw"), at: fx.tick())
        do {
            _ = try await fx.store.reenterArchive(id: first.id, first.input, by: fx.actor("cw"), at: fx.tick())
            Issue.record("re-entry put a person in two open archives")
        } catch let e as BangfuError { #expect(e.code == .personInOtherArchive && e.en.contains(moved.archiveNo)) }
    }

    @Test(arguments: Engine.allCases) func notEligibleIsRefusedWithTheReason(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        do {
            _ = try await fx.store.createArchive(
                fx.input(income: Money(yuan: 200_000)), by: fx.actor("cw"), at: fx.tick())
            Issue.record("a household above the line was archived")
        } catch let e as BangfuError {
            #expect(e.code == .notEligible)
            #expect(e.zh.contains("低保"))
        }
        var badCause = fx.input()
        badCause.mainCause = "bad_luck"
        await #expect(throws: BangfuError.self) {
            try await fx.store.createArchive(badCause, by: fx.actor("cw"), at: fx.tick())
        }
        var noDibao = fx.input()
        noDibao.region = "880101"
        do {
            _ = try await fx.store.createArchive(noDibao, by: fx.actor("cw"), at: fx.tick())
            Issue.record("an archive without a 低保 standard for its region was created")
        } catch let e as BangfuError { #expect(e.code == .noDibaoStandard && e.en.contains("880101")) }
    }

    @Test(arguments: Engine.allCases) func everyChangeKeepsHistory(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let h = try await fx.archive()
        #expect(h.archiveNo == "HA-2027-000001")
        #expect(h.assessment.category == .deep)
        #expect(h.reviewDue == LocalDate(year: 2028, month: 2, day: 4)!)
        var changed = h.input
        changed.annualIncome = Money(yuan: 30_000)  // 2 people, 低保 ¥1,000: between 1x and 2x
        changed.head.phone = "13900000000"
        let u = try await fx.store.updateArchive(id: h.id, changed, by: fx.actor("cw"), at: fx.tick())
        #expect(u.assessment.category == .relative)
        let history = try await fx.store.archiveHistory(id: h.id)
        let update = history.filter { $0.action == "update_archive" }
        #expect(
            update.contains {
                $0.field == "annualIncome" && $0.oldValue == "1000000" && $0.newValue == "3000000" && $0.actor == "cw"
            })
        #expect(update.contains { $0.field == "head.phone" && $0.oldValue == nil && $0.newValue == "13900000000" })
        #expect(update.contains { $0.field == "category" && $0.oldValue == "deep" && $0.newValue == "relative" })
        // A creation is one line naming the archive (with its category and review date), no values.
        let created = history.filter { $0.action == "create_archive" }
        #expect(created.map(\.field).sorted() == ["archive", "category", "review_due", "status"])
        #expect(created.first { $0.field == "archive" }?.newValue == "HA-2027-000001")
        // Review, exit and re-entry are history too; a closed archive takes no case.
        fx.now = fx.now.addingTimeInterval(300 * 86400)
        let reviewed = try await fx.store.reviewArchive(id: h.id, by: fx.actor("cw"), at: fx.now)
        #expect(reviewed.reviewDue > h.reviewDue)
        _ = try await fx.store.exitArchive(
            id: h.id, reason: .incomeAboveLine, note: "脱困", by: fx.actor("ap"), at: fx.tick())
        await #expect(throws: BangfuError.self) {
            try await fx.store.fileCase(
                householdId: h.id, helpType: "hardship-relief", by: fx.actor("cw"), at: fx.tick())
        }
        await #expect(throws: BangfuError.self) {
            try await fx.store.updateArchive(id: h.id, changed, by: fx.actor("cw"), at: fx.tick())
        }
        var poorer = changed
        poorer.annualIncome = Money(yuan: 5_000)
        let back = try await fx.store.reenterArchive(id: h.id, poorer, by: fx.actor("cw"), at: fx.tick())
        #expect(back.status == .open && back.archiveNo == h.archiveNo)
        let actions = Set(try await fx.store.archiveHistory(id: h.id).map(\.action))
        #expect(actions == ["create_archive", "update_archive", "review_archive", "exit_archive", "reenter_archive"])
        // History and archives cannot be deleted by accident.
        #expect(try fx.refusedByRules("DELETE FROM household"))
    }

    @Test(arguments: Engine.allCases) func auditChainVerifiesAndFindsTampering(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        try await fx.fund()
        _ = try await fx.caseIn(.active)
        let ok = try await fx.store.verify()
        #expect(ok.ok && ok.auditRows > 10)
        // Append-only: a plain UPDATE is refused by the database itself.
        #expect(try fx.refusedByRules("UPDATE audit_log SET actor = 'x' WHERE seq = 5"))
        // Someone with raw access drops the guard and rewrites row 5: verify names row 5.
        try fx.tamper(
            dropping: ["audit_log_no_update"], ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 5"])
        let bad = try await fx.store.verify()
        #expect(!bad.ok)
        #expect(bad.firstBrokenAuditRow == 5)
        // No personal value is in the audit trail.
        let text = try fx.rows("SELECT actor || action || entity_id FROM audit_log").map { $0[0] as String }.joined()
        #expect(!text.contains("张三"))
    }

    @Test(arguments: Engine.allCases) func schemaChecksMatchTheCoreEnums(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let sql = try fx.schemaText()
        for s in CaseState.allCases { #expect(sql.contains("'\(s.rawValue)'")) }
        for k in LedgerKind.allCases { #expect(sql.contains("'\(k.rawValue)'")) }
        for s in FundSource.allCases { #expect(sql.contains("'\(s.rawValue)'")) }
        for l in UnitLevel.allCases { #expect(sql.contains("'\(l.rawValue)'")) }
    }
}
