import BangfuCore
import BangfuStore
import Foundation
import Testing

/// Every listing in pages: followed to the end, each item comes once, in the listing's documented
/// order, and only from the units asked. The expected orders are written out here by hand.
@Suite struct ListingPagesTests {
    /// Reads a listing to its end, `limit` at a time, as a caller following `next` would.
    func follow<Item>(
        limit: Int, keyLength: Int, _ read: (Page) async throws -> [Item], key: (Item) -> [Int64]
    ) async throws -> (items: [Item], pages: Int) {
        var items: [Item] = []
        var page = try Page(limit: Int64(limit), after: nil, keyLength: keyLength)
        var pages = 0
        while pages < 50 {
            pages += 1
            let (cut, next) = page.cut(try await read(page), key: key)
            #expect(cut.count <= limit)
            items += cut
            guard let next else { break }
            page = try Page(limit: Int64(limit), after: next, keyLength: keyLength)
        }
        return (items, pages)
    }

    /// A one-person household with this annual income (the test 低保 is ¥1,000 a month: under
    /// ¥12,000 a year is deep hardship, under ¥24,000 relative).
    func household(_ fixture: Fixture, unit: String, yuan: Int64, by: String = "cw") async throws -> Household {
        try await fixture.store.createArchive(
            fixture.input(unit: unit, members: 0, income: Money(yuan: yuan)), by: fixture.actor(by), at: fixture.tick())
    }

    @Test(arguments: Engine.allCases) func householdsLeftOutComeDeepestFirstAcrossPagesAndOnlyFromTheUnitsAsked(
        engine: Engine
    ) async throws {
        let fixture = try await Fixture(engine: engine)
        // Per-capita monthly income in brackets; F is the deepest, C the least deep.
        let a = try await household(fixture, unit: "b1", yuan: 6_000)  // deep, 500
        let b = try await household(fixture, unit: "b1", yuan: 3_000)  // deep, 250
        let c = try await household(fixture, unit: "b1", yuan: 18_000)  // relative, 1,500
        let d = try await household(fixture, unit: "b1", yuan: 9_000)  // deep, 750
        let e = try await household(fixture, unit: "b1", yuan: 15_000)  // relative, 1,250
        let f = try await household(fixture, unit: "b3", yuan: 1_200, by: "cw3")  // deep, 100
        let run = try await fixture.store.startCampaignRun(
            campaignId: "spring", holiday: LocalDate(year: 2027, month: 2, day: 6)!, budget: Money(yuan: 0),
            targeted: 6, at: fixture.tick())
        _ = try await fixture.store.recordCampaignBatch(
            runId: run.id,
            entries: [a, b, c, d, e, f].map { household in
                CampaignEntry(householdId: household.id, outcome: .leftOutBudget, amount: .zero, reason: "budget")
            },
            helpType: "holiday-condolence", formJSON: "{}", visitDue: LocalDate(year: 2027, month: 2, day: 5)!,
            at: fixture.tick())
        let everywhere = ["b1", "b2", "b3"]
        let (all, pages) = try await follow(limit: 2, keyLength: 3) { page in
            try await fixture.store.campaignMembers(
                runId: run.id, outcome: .leftOutBudget, units: everywhere, page: page)
        } key: { member in
            let key = CampaignTarget.PriorityKey(member.0)
            return [Int64(key.rank), key.perCapitaFen, key.householdId]
        }
        #expect(all.map(\.0.id) == [f, b, a, d, e, c].map(\.id) && pages == 3, "\(all.map(\.0.archiveNo))")
        let (b1Only, _) = try await follow(limit: 2, keyLength: 3) { page in
            try await fixture.store.campaignMembers(runId: run.id, outcome: .leftOutBudget, units: ["b1"], page: page)
        } key: { member in
            let key = CampaignTarget.PriorityKey(member.0)
            return [Int64(key.rank), key.perCapitaFen, key.householdId]
        }
        #expect(b1Only.map(\.0.id) == [b, a, d, e, c].map(\.id))
        // The run's counts follow the units asked too.
        #expect(try await fixture.store.campaignProgress(runId: run.id, units: ["b1"]).leftOut == 5)
        #expect(try await fixture.store.campaignProgress(runId: run.id, units: ["b3"]).leftOut == 1)
        #expect(try await fixture.store.campaignProgress(runId: run.id, units: ["b2"]).processed == 0)
        #expect(try await fixture.store.campaignProgress(runId: run.id, units: nil).processed == 6)
    }

    @Test(arguments: Engine.allCases) func overdueVisitsComeEarliestDueFirstAcrossPages(engine: Engine) async throws {
        let fixture = try await Fixture(engine: engine)
        var households: [Household] = []
        for _ in 0..<5 { households.append(try await fixture.archive()) }
        let events = Dictionary(uniqueKeysWithValues: MustVisitEvent.defaults.map { event in (event.id, event) })
        // Due in 3, 7, 2, 3 and 2 days from 2027-02-04: the 6th, 11th, 6th, 7th and 6th... as below.
        let plan: [(Int, String)] = [
            (0, "hospital_stay"), (1, "long_absence"), (2, "death"), (3, "hospital_stay"),
            (4, "family_disaster"),
        ]
        var visits: [Visit] = []
        for (index, event) in plan {
            visits.append(
                try await fixture.store.recordMustVisit(
                    archiveNo: households[index].archiveNo, event: events[event]!, note: nil, by: fixture.actor("cw"),
                    at: fixture.tick()))
        }
        #expect(
            visits.map(\.dueOn.description) == ["2027-02-07", "2027-02-11", "2027-02-06", "2027-02-07", "2027-02-06"])
        // Earliest due first, then in the order recorded.
        let expected = [visits[2], visits[4], visits[0], visits[3], visits[1]].map(\.id)
        let (listed, pages) = try await follow(limit: 2, keyLength: 2) { page in
            try await fixture.store.overdueVisits(
                units: ["b1"], on: LocalDate(year: 2027, month: 3, day: 1)!, page: page)
        } key: { visit in
            [visit.dueOn.sortKey, visit.id]
        }
        #expect(listed.map(\.id) == expected && pages == 3)
        // Not yet overdue on the 7th: only those due on the 6th.
        let early = try await fixture.store.overdueVisits(
            units: ["b1"], on: LocalDate(year: 2027, month: 2, day: 7)!, page: Page())
        #expect(early.map(\.id) == [visits[2], visits[4]].map(\.id))
        #expect(
            try await fixture.store.overdueVisits(
                units: ["b2"], on: LocalDate(year: 2027, month: 3, day: 1)!, page: Page()
            ).isEmpty)
    }

    @Test(arguments: Engine.allCases) func contactsAndReviewsDueComeInPages(engine: Engine) async throws {
        let fixture = try await Fixture(engine: engine, extraYAML: "")
        var households: [Household] = []
        for _ in 0..<5 { households.append(try await fixture.archive()) }
        // Paired in the order 3, 0, 4, 1, 2: the longest without contact is the one paired first.
        for index in [3, 0, 4, 1, 2] {
            try await fixture.store.pair(
                archiveNo: households[index].archiveNo,
                helper: Actor(id: "helper1", grants: [RoleGrant(role: .helper, unitId: "b1")]), by: fixture.actor("cw"),
                at: fixture.tick())
        }
        let later = fixture.now.addingTimeInterval(100 * 86_400)
        let (due, pages) = try await follow(limit: 2, keyLength: 2) { page in
            try await fixture.store.contactsDue(units: ["b1"], days: 92, at: later, page: page)
        } key: { contact in
            [Int64((contact.dueSince.timeIntervalSince1970 * 1000).rounded()), contact.householdId]
        }
        #expect(due.map(\.archiveNo) == [3, 0, 4, 1, 2].map { households[$0].archiveNo } && pages == 3)
        // Every archive's review falls on 2028-02-04; within 366 days all are due, in id order.
        let (reviews, reviewPages) = try await follow(limit: 3, keyLength: 2) { page in
            try await fixture.store.reviewsDue(
                units: ["b1"], on: LocalDate(year: 2027, month: 2, day: 4)!, within: 366, page: page)
        } key: { review in
            [review.reviewDue.sortKey, review.householdId]
        }
        #expect(reviews.map(\.archiveNo) == households.map(\.archiveNo) && reviewPages == 2)
        #expect(reviews.allSatisfy { $0.reviewDue.description == "2028-02-04" && !$0.overdue })
        let none = try await fixture.store.reviewsDue(
            units: ["b1"], on: LocalDate(year: 2027, month: 2, day: 4)!, within: 300, page: Page())
        #expect(none.isEmpty)
    }
}
