import BangfuCore
import Testing

/// Category at its exact boundaries, in fen.
@Suite struct CategoryTests {
    let day = LocalDate(year: 2026, month: 1, day: 1)!
    let rules = CategoryRules(dibao: [
        DibaoStandard(
            region: "990100", effective: LocalDate(year: 2025, month: 1, day: 1)!, monthly: Money(yuan: 1000)),
        DibaoStandard(
            region: "990100", effective: LocalDate(year: 2026, month: 7, day: 1)!, monthly: Money(yuan: 1100)),
    ])

    func household(income: Money, rigid: Money = .zero, accident: Money = .zero, members: Int = 1) -> ArchiveInput {
        ArchiveInput(
            unitId: "u", region: "990101",
            head: Person(name: "甲", idNumber: .synthetic(index: 1), workStatus: .unemployed),
            members: (0..<members).map {
                Member(name: "乙\($0)", idNumber: .synthetic(index: 10 + $0), relation: "child")
            },
            annualIncome: income, rigidExpenses: rigid, accidentCosts: accident, mainCause: "unemployed")
    }

    @Test func deepBoundary() throws {
        // 2 people, 低保 ¥1,000: the deep line is ¥24,000 a year of net income.
        let below = try rules.assess(household(income: Money(fen: 2_400_000 - 1), members: 1), on: day)
        #expect(below.category == .deep)
        let at = try rules.assess(household(income: Money(fen: 2_400_000), members: 1), on: day)
        #expect(at.category == .relative)
        #expect(at.reasonZh.contains("低保"))
    }

    @Test func relativeBoundaryAndRigidExpenses() throws {
        let justUnder = try rules.assess(
            household(income: Money(fen: 4_800_000 + 100_000 - 1), rigid: Money(yuan: 1_000), members: 1), on: day)
        #expect(justUnder.category == .relative)
        let at = try rules.assess(
            household(income: Money(fen: 4_800_000 + 100_000), rigid: Money(yuan: 1_000), members: 1), on: day)
        #expect(at.category == nil)
        #expect(at.reasonEn.contains("not in hardship"))
    }

    @Test func accidentBoundary() throws {
        // Income ¥60,000 (above 2 x 低保 for one person); accident costs must exceed 80% = ¥48,000.
        let at = try rules.assess(household(income: Money(yuan: 60_000), accident: Money(yuan: 48_000)), on: day)
        #expect(at.category == nil)
        let over = try rules.assess(household(income: Money(yuan: 60_000), accident: Money(fen: 4_800_001)), on: day)
        #expect(over.category == .accident)
    }

    @Test func effectiveDateAndRegionFallback() throws {
        let later = LocalDate(year: 2026, month: 7, day: 1)!
        #expect(try rules.dibaoStandard(region: "990101", on: day).monthly == Money(yuan: 1000))
        #expect(try rules.dibaoStandard(region: "990101", on: later).monthly == Money(yuan: 1100))
        #expect(throws: BangfuError.self) { try rules.dibaoStandard(region: "880101", on: day) }
        #expect(throws: BangfuError.self) {
            try rules.dibaoStandard(region: "990101", on: LocalDate(year: 2024, month: 1, day: 1)!)
        }
    }
}
