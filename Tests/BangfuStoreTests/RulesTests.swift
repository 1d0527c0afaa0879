import BangfuCore
import BangfuStore
import Foundation
import Testing

/// Rules that decide across units and funds: what a caller of another unit is told, records that
/// move between units, and money that moves between funds.
@Suite struct RulesTests {
    @Test(arguments: Engine.allCases) func aDuplicatePersonIsNotNamedToACallerWithNoRoleThere(engine: Engine)
        async throws
    {
        let fx = try await Fixture(engine: engine)
        let first = try await fx.archive(unit: "b1")
        var again = fx.input(unit: "b3")
        again.head = first.input.head
        // cw3 holds no role on b1: refused, without the other archive's number or unit.
        do {
            _ = try await fx.store.createArchive(again, by: fx.actor("cw3"), at: fx.tick())
            Issue.record("the same person entered a second open archive")
        } catch let error as BangfuError {
            #expect(error.code == .personInOtherArchive)
            #expect(
                !error.zh.contains(first.archiveNo) && !error.en.contains(first.archiveNo) && !error.en.contains("b1"),
                "\(error.en)")
        }
        // cw of b1 may read that archive: told which one.
        var inB1 = fx.input(unit: "b1")
        inB1.head = first.input.head
        do {
            _ = try await fx.store.createArchive(inB1, by: fx.actor("cw"), at: fx.tick())
            Issue.record("the same person entered a second open archive")
        } catch let error as BangfuError {
            #expect(error.code == .personInOtherArchive && error.en.contains(first.archiveNo))
        }
    }

    @Test(arguments: Engine.allCases) func reEntryNeedsTheRoleOnTheUnitLeftAndTheUnitEntered(engine: Engine)
        async throws
    {
        let fx = try await Fixture(engine: engine)
        let closed = try await fx.archive(unit: "b1")
        _ = try await fx.store.exitArchive(
            id: closed.id, reason: .incomeAboveLine, note: "脱困", by: fx.actor("ap"), at: fx.tick())
        var moved = closed.input
        moved.unitId = "b3"
        // A caseworker of b3 may not pull b1's archive into b3 (and is told it does not exist).
        do {
            _ = try await fx.store.reenterArchive(id: closed.id, moved, by: fx.actor("cw3"), at: fx.tick())
            Issue.record("a caseworker of b3 re-entered b1's archive")
        } catch let error as BangfuError {
            #expect(error.code == .notFound)
            #expect(error.en == "archive \(closed.archiveNo) does not exist")
        }
        // A caseworker of b1 only may not move it into b3 either.
        do {
            _ = try await fx.store.reenterArchive(id: closed.id, moved, by: fx.actor("cw"), at: fx.tick())
            Issue.record("a caseworker of b1 moved an archive into b3")
        } catch let error as BangfuError { #expect(error.code == .permissionDenied) }
        // Whoever holds the role over both (multi: caseworker of county) moves it to b2.
        moved.unitId = "b2"
        let back = try await fx.store.reenterArchive(id: closed.id, moved, by: fx.actor("multi"), at: fx.tick())
        #expect(back.status == .open && back.input.unitId == "b2")
    }

    @Test(arguments: Engine.allCases) func transfersKeepTheMoneysSourceAndNeverWidenWhatItPays(engine: Engine)
        async throws
    {
        let fx = try await Fixture(engine: engine)
        try await fx.fund("union", helpTypes: ["hardship-relief", "medical-aid"])
        try await fx.fund("narrow", yuan: 0, helpTypes: ["medical-aid"])
        try await fx.fund("wide", yuan: 0, helpTypes: ["medical-aid", "education-aid"])
        try await fx.store.createFund(
            FundAccount(id: "gift", name: "捐赠", unitId: "county", source: .donation, helpTypes: ["medical-aid"]),
            by: fx.actor("tr"), at: fx.tick())
        for target in ["wide", "gift"] {
            do {
                _ = try await fx.store.requestTransfer(
                    from: "union", to: target, amount: Money(yuan: 10), reason: "调剂", by: fx.actor("ap"),
                    at: fx.tick())
                Issue.record("union funds moved into \(target)")
            } catch let error as BangfuError { #expect(error.code == .notEarmarked, "\(target)") }
        }
        try await fx.transfer("union", "narrow", yuan: 10)
        #expect(try await fx.store.balance(fundId: "narrow") == Money(yuan: 10))
        // A request left unanswered expires: no one can confirm it after its days.
        let asked = try await fx.store.requestTransfer(
            from: "union", to: "narrow", amount: Money(yuan: 1), reason: "调剂", by: fx.actor("ap"),
            at: fx.tick())
        do {
            _ = try await fx.store.decideTransfer(
                id: asked.id, confirm: true, note: nil, by: fx.actor("ap3"),
                at: fx.now.addingTimeInterval(8 * 86_400))
            Issue.record("an expired transfer was confirmed")
        } catch let error as BangfuError {
            #expect(error.code == .invalidTransition && error.context["state"] == "expired")
        }
        #expect(try await fx.store.balance(fundId: "narrow") == Money(yuan: 10))
    }
}

/// The units come from the configuration: a reload adds and changes them, audited once each.
@Suite struct UnitSyncTests {
    func auditedUnits(_ fixture: Fixture) throws -> [String] {
        try fixture.rows("SELECT entity_id FROM audit_log WHERE action = 'unit_sync' ORDER BY seq").map { $0[0] }
    }

    @Test(arguments: Engine.allCases) func aChangedConfigurationIsSyncedParentsFirstAndEachChangeAuditedOnce(
        engine: Engine
    ) async throws {
        let fixture = try await Fixture(engine: engine)
        let first = try auditedUnits(fixture)
        // In waves: the top, then its children, then theirs.
        #expect(first == ["city", "county", "county2", "b1", "b2", "b3"], "\(first)")
        // Nothing changed: nothing written.
        try await fixture.store.syncUnits(fixture.config.units, at: fixture.tick())
        #expect(try auditedUnits(fixture).count == 6)
        // b1 renamed; a workshop under a new branch, listed before its parent.
        var units = fixture.config.units.map { unit in
            unit.id == "b1" ? OrgUnit(id: "b1", name: "一厂工会（改名）", parentId: "county", level: .grassroots) : unit
        }
        units.append(OrgUnit(id: "w4", name: "四厂车间", parentId: "b4", level: .grassroots))
        units.append(OrgUnit(id: "b4", name: "四厂工会", parentId: "county2", level: .grassroots))
        try await fixture.store.syncUnits(units, at: fixture.tick())
        #expect(try auditedUnits(fixture).suffix(3) == ["b1", "b4", "w4"])
        let tree = try await fixture.store.unitTree()
        #expect(tree.units["b1"]?.name == "一厂工会（改名）" && tree.subtree(of: "county2").contains("w4"))
    }

    @Test(arguments: Engine.allCases) func unitsThatAreNotOneTreeAreRefusedWhole(engine: Engine) async throws {
        let fixture = try await Fixture(engine: engine)
        let before = try fixture.snapshot()
        var units = fixture.config.units
        units.append(OrgUnit(id: "b9", name: "九厂", parentId: "nowhere", level: .grassroots))
        await #expect(throws: BangfuError.self) { try await fixture.store.syncUnits(units, at: fixture.tick()) }
        #expect(try fixture.snapshot() == before)
    }
}
