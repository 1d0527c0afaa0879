import BangfuCore
import BangfuStore
import Foundation
import GRDB
import Testing

/// Retention (issue 12): the personal data of an archive closed longer than `retention_years` is
/// erased from every table, and the audit trail, which commits only to salted hashes of it, still
/// verifies; the erasable table allows nothing but that erasure; stored replies expire.
@Suite struct RetentionTests {
    /// A household whose people have everything the form can say about them.
    func fullInput(_ fx: Fixture) -> ArchiveInput {
        var input = fx.input(members: 2)
        input.head.phone = "13912345678"
        input.head.bankAccount = "6222020200112233445"
        input.head.employer = "青岛第一纺织厂"
        input.head.health = "慢性肾病"
        input.members[0].name = "李秀英"
        input.members[0].health = "糖尿病"
        input.members[1].schoolOrEmployer = "青岛二中"
        input.fiveClears = FiveClears(family: "夫妻二人带两个孩子", cause: "丈夫下岗后患病")
        input.urgentNeeds = "冬季取暖费"
        return input
    }

    /// Every personal value of the input, as text that must not survive the erasure anywhere.
    func personalTexts(_ input: ArchiveInput) -> [String] {
        [
            input.head.name, input.head.idNumber.value, "13912345678", "6222020200112233445", "青岛第一纺织厂", "慢性肾病", "李秀英",
            "糖尿病",
            "青岛二中", "夫妻二人带两个孩子", "丈夫下岗后患病", "冬季取暖费",
        ] + input.members.map(\.idNumber.value)
    }

    @Test(arguments: Engine.allCases) func theRetentionJobErasesExactlyThePersonalDataAndVerifyStillPasses(
        engine: Engine
    ) async throws {
        let fx = try await Fixture(engine: engine, extraYAML: "archive: { retention_years: 2 }")
        let input = fullInput(fx)
        let old = try await fx.store.createArchive(input, by: fx.actor("cw"), at: fx.tick())
        var changed = input
        changed.head.phone = "13800000000"
        _ = try await fx.store.updateArchive(id: old.id, changed, by: fx.actor("cw"), at: fx.tick())
        _ = try await fx.store.exitArchive(
            id: old.id, reason: .incomeAboveLine, note: "连续六个月收入超标", by: fx.actor("ap"), at: fx.tick())
        let closedDay = BusinessZone.shanghai.date(of: fx.now)
        // Closed a year later: not yet due when the first one is. And one still open.
        fx.now = BusinessZone.shanghai.startOfDay(closedDay.adding(months: 12)).addingTimeInterval(10 * 3600)
        let later = try await fx.store.createArchive(fx.input(), by: fx.actor("cw"), at: fx.tick())
        _ = try await fx.store.exitArchive(id: later.id, reason: .death, note: "病故", by: fx.actor("ap"), at: fx.tick())
        let open = try await fx.store.createArchive(fx.input(), by: fx.actor("cw"), at: fx.tick())
        let before = try fx.snapshot().joined(separator: "\n")
        for text in personalTexts(input) + ["13800000000"] { #expect(before.contains(text), "\(text) was not stored") }

        let shown = try await fx.store.archiveHistory(id: old.id).first {
            $0.field == "head.phone" && $0.action == "update_archive"
        }
        #expect(shown?.oldValue == "13912345678" && shown?.newValue == "13800000000")
        // The day before two years have passed: nothing yet.
        let dueDay = closedDay.adding(months: 24)
        let eve = BusinessZone.shanghai.startOfDay(dueDay.adding(days: -1)).addingTimeInterval(23 * 3600)
        #expect(try await fx.store.eraseExpiredArchives(at: eve).isEmpty)
        let due = BusinessZone.shanghai.startOfDay(dueDay).addingTimeInterval(60)
        let erased = try await fx.store.eraseExpiredArchives(at: due)
        #expect(erased.map(\.archiveNo) == [old.archiveNo])
        #expect(try await fx.store.eraseExpiredArchives(at: due.addingTimeInterval(60)).isEmpty, "erased twice")

        let after = try fx.snapshot().joined(separator: "\n")
        for text in personalTexts(input) + ["13800000000"] {
            #expect(!after.contains(text), "\(text) survived the erasure")
        }
        // The others keep theirs.
        #expect(after.contains(later.input.head.idNumber.value) && after.contains(open.input.head.idNumber.value))
        let report = try await fx.store.verify()
        #expect(report.ok, "\(report.problems)")

        // What stays: the archive, its size, relations, incomes, causes, category history.
        let kept = try await fx.store.household(id: old.id)
        #expect(kept.erasedAt == due && kept.status == .closed && kept.input.size == 3)
        #expect(kept.input.head.name == "〔已清除〕" && kept.input.members.map(\.relation) == ["child", "child"])
        #expect(kept.input.annualIncome == input.annualIncome && kept.input.mainCause == input.mainCause)
        let history = try await fx.store.archiveHistory(id: old.id)
        let phone = history.first { $0.field == "head.phone" && $0.action == "update_archive" }
        #expect(phone?.oldValue == "〔已清除〕" && phone?.newValue == "〔已清除〕")
        #expect(history.contains { $0.field == "status" && $0.newValue == "closed" })
        #expect(history.last?.action == "retention_erase" && history.last?.actor == "system")
        let audited: [String] = try fx.rows("SELECT action FROM audit_log WHERE entity_id = ?", [old.archiveNo])
            .map { $0[0] }
        #expect(audited.last == "retention_erase")
        // An erased archive cannot come back under its old number.
        do {
            _ = try await fx.store.reenterArchive(
                id: old.id, input, by: fx.actor("cw"), at: due.addingTimeInterval(120))
            Issue.record("an erased archive was re-entered")
        } catch let error as BangfuError { #expect(error.code == .archiveClosed) }
    }

    @Test(arguments: Engine.allCases) func personalValuesAreOnlyEverErasedAndVerifyFindsAnyOtherChange(engine: Engine)
        async throws
    {
        let fx = try await Fixture(engine: engine)
        let household = try await fx.store.createArchive(fullInput(fx), by: fx.actor("cw"), at: fx.tick())
        // A change keeps the replaced personal values (a creation keeps none: the archive is its own first version).
        var changed = household.input
        changed.head.phone = "13800000000"
        _ = try await fx.store.updateArchive(id: household.id, changed, by: fx.actor("cw"), at: fx.tick())
        for sql in [
            "UPDATE personal_value SET value = 'x' WHERE household_id = \(household.id)",
            "DELETE FROM personal_value",
            "UPDATE archive_history SET actor = 'x'",
            "DELETE FROM archive_history",
        ] {
            #expect(try fx.refusedByRules(sql), "\(sql)")
        }
        // With the triggers dropped (someone with the file): a value changed is found by its salted hash...
        try fx.tamper(
            dropping: ["personal_value_erase_only"],
            ["UPDATE personal_value SET value = '13900000000' WHERE value = '13912345678'"])
        var report = try await fx.store.verify()
        #expect(!report.ok && report.problems.contains { $0.contains("does not match its salted hash") })
        try fx.tamper(dropping: [], ["UPDATE personal_value SET value = '13912345678' WHERE value = '13900000000'"])
        #expect(try await fx.store.verify().ok)
        // ...and an erasure the retention job did not make is found too.
        try fx.tamper(
            dropping: [],
            ["UPDATE personal_value SET value = NULL, salt = NULL, erased_ms = 1 WHERE value = '13912345678'"])
        report = try await fx.store.verify()
        #expect(!report.ok && report.problems.contains { $0.contains("never erased by the retention job") })
    }

    @Test(arguments: Engine.allCases) func aRetryAfterItsReplyExpiredIsRefusedAndActsNoMore(engine: Engine) async throws
    {
        let fx = try await Fixture(engine: engine)
        try await fx.fund(yuan: 0)
        let asked = fx.now
        let key = RequestKey(principal: "tr", id: "dep-1", paramsHash: "h1", at: asked)
        let scoped = fx.store.scoped(to: key)
        try await scoped.deposit(fundId: "f1", amount: Money(yuan: 100), memo: "拨款", by: fx.actor("tr"), at: fx.tick())
        #expect(try await fx.store.expireReplies(before: asked, at: fx.tick()) == 0, "expired too early")
        try await scoped.deposit(fundId: "f1", amount: Money(yuan: 100), memo: "拨款", by: fx.actor("tr"), at: fx.tick())
        #expect(try await fx.store.balance(fundId: "f1") == Money(yuan: 100))
        #expect(try await fx.store.expireReplies(before: asked.addingTimeInterval(1), at: fx.tick()) == 1)
        do {
            try await scoped.deposit(
                fundId: "f1", amount: Money(yuan: 100), memo: "拨款", by: fx.actor("tr"), at: fx.tick())
            Issue.record("a retry after its reply expired was answered")
        } catch let error as BangfuError { #expect(error.code == .requestExpired) }
        #expect(try await fx.store.balance(fundId: "f1") == Money(yuan: 100))
        // The request stays, its reply gone; other parameters under the same id are still refused as reuse.
        let stored = try fx.rows("SELECT reply, params_hash FROM request_log WHERE request_id = 'dep-1'").first
        #expect(stored?["reply"] as String? == "null" && stored?["params_hash"] as String? == "h1")
        #expect(try fx.refusedByRules("DELETE FROM request_log"))
        do {
            try await fx.store.scoped(to: RequestKey(principal: "tr", id: "dep-1", paramsHash: "h2", at: fx.now))
                .deposit(fundId: "f1", amount: Money(yuan: 5), memo: "拨款", by: fx.actor("tr"), at: fx.tick())
            Issue.record("an id was reused with other parameters")
        } catch let error as BangfuError { #expect(error.code == .requestIdReused) }
    }
}
