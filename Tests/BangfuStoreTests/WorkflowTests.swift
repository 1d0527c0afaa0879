import BangfuCore
import BangfuPluginKit
import BangfuPlugins
import BangfuStore
import BangfuWorkflow
import Foundation
import GRDB
import Testing

/// Cases driven by the real help-type plugins over a real SQLite store, with the host-wide rules.
@Suite struct WorkflowTests {
    static let plugins = PluginLoader.load(directory: Fixture.pluginDir)

    /// A fixed secret, so refs are the same in every run.
    static let refs = PersonRefs(secret: Data(repeating: 7, count: 32))
    func workflow(_ fx: Fixture) -> Workflow {
        Workflow(store: fx.store, plugins: Self.plugins, zone: .shanghai, refs: Self.refs)
    }

    /// Files, submits and passes review; returns the case ready for approval.
    func reviewed(_ fx: Fixture, _ wf: Workflow, household: Int64, _ type: String, _ form: [String: FormValue])
        async throws -> HelpCase
    {
        let c = try await wf.fileCase(
            householdId: household, helpType: type, form: form, by: fx.actor("cw"), at: fx.tick())
        _ = try await fx.store.apply(.submit, toCase: c.id, by: fx.actor("cw"), at: fx.tick())
        return try await fx.store.apply(.passReview(comment: "入户核实"), toCase: c.id, by: fx.actor("rv"), at: fx.tick())
            .helpCase
    }

    @Test func pluginsLoaded() {
        #expect(Self.plugins.failed.isEmpty && Self.plugins.loaded.count == 9, "\(Self.plugins.failed)")
    }

    @Test(arguments: Engine.allCases) func theHelpTypeSetsTheAmountAndTheFundSourceIsChecked(engine: Engine)
        async throws
    {
        let fx = try await Fixture(engine: engine)
        let wf = workflow(fx)
        try await fx.fund("union", yuan: 100_000)
        try await fx.store.createFund(
            FundAccount(id: "dues", name: "党费", unitId: "county", source: .partyDues, helpTypes: ["hardship-relief"]),
            by: fx.actor("tr"), at: fx.tick())
        try await fx.store.deposit(
            fundId: "dues", amount: Money(yuan: 100_000), memo: "党费", by: fx.actor("tr"), at: fx.tick())
        let h = try await fx.archive()  // deep
        let c = try await reviewed(fx, wf, household: h.id, "hardship-relief", ["cause": .string("disaster")])
        let a = try await wf.assess(caseId: c.id, at: fx.now)
        #expect(a.eligible && a.plan?.amountFen == 500_000)
        let approved = try await wf.approve(caseId: c.id, by: fx.actor("ap"), at: fx.tick())
        #expect(approved.helpCase.plan == .oneOff(Money(yuan: 5_000)))
        fx.now = approved.helpCase.noticeDeadline!
        _ = try await fx.store.apply(.noticeElapsed, toCase: c.id, by: .system, at: fx.now)
        _ = try await fx.store.apply(.scheduleDisbursement, toCase: c.id, by: .system, at: fx.tick())
        do {
            _ = try await wf.pay(caseId: c.id, instalment: 1, fund: "dues", by: fx.actor("tr"), at: fx.tick())
            Issue.record("party dues paid a help type that may not draw on them")
        } catch let e as BangfuError { #expect(e.code == .notEarmarked) }
        let paid = try await wf.pay(caseId: c.id, instalment: 1, fund: "union", by: fx.actor("tr"), at: fx.tick())
        #expect(paid.helpCase.state == .closed && paid.disbursement?.amount == Money(yuan: 5_000))
    }

    /// Refs are keyed: worked out by hand (Python's hmac) for one archive number and ID number.
    @Test func aRefCannotBeRecomputedWithoutTheSecret() {
        let id = IDNumber(stored: "11010519491231002X")
        #expect(Self.refs.ref("HA-2026-000001", id) == "fbac8219f8a3e3e7")
        // The formula before 0.7 (SHA-256 of the same text): anyone could recompute it.
        #expect(PersonRefs.unkeyed("HA-2026-000001", id) == "42701897af53e3ce")
        #expect(PersonRefs(secret: Data(repeating: 8, count: 32)).ref("HA-2026-000001", id) != "fbac8219f8a3e3e7")
        #expect(Self.refs.fingerprint != PersonRefs(secret: Data(repeating: 8, count: 32)).fingerprint)
    }

    /// A database written before refs were keyed: its forms' refs are replaced in one audited
    /// write, so "once per student and school year" still holds; a different secret is refused.
    @Test(arguments: Engine.allCases) func storedRefsAreKeyedOnceAndTheRuleStillHolds(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let wf = workflow(fx)
        var input = fx.input()
        input.members[0].status = "student"
        let h = try await fx.store.createArchive(input, by: fx.actor("cw"), at: fx.tick())
        let child = h.input.members[0].idNumber
        var form: [String: FormValue] = [
            "program": .string("autumn"), "school_level": .string("university"), "school_year": .integer(2026),
        ]
        form["student_ref"] = .string(PersonRefs.unkeyed(h.archiveNo, child))
        let first = try await wf.fileCase(
            householdId: h.id, helpType: "education-aid", form: form, by: fx.actor("cw"), at: fx.tick())
        _ = try await fx.store.apply(.submit, toCase: first.id, by: fx.actor("cw"), at: fx.tick())
        form["student_ref"] = .string(Self.refs.ref(h.archiveNo, child))
        let second = try await reviewed(fx, wf, household: h.id, "education-aid", form)
        // Before keying, the old case names the student by a ref the rule no longer recognises.
        let before = try await wf.assess(caseId: second.id, at: fx.now)
        #expect(before.eligible, "\(before.reasons.map(\.code))")

        #expect(try await fx.store.keyRefs(Workflow.keying(Self.refs), at: fx.tick()) == 1)
        let refused = try await wf.assess(caseId: second.id, at: fx.now)
        #expect(!refused.eligible && refused.reasons.map(\.code) == ["already_funded"])
        #expect(try await fx.store.verify().ok)
        let stored: String? = try fx.rows("SELECT form FROM help_case WHERE id = ?", [first.id]).first?[0]
        #expect(stored?.contains(Self.refs.ref(h.archiveNo, child)) == true)

        #expect(try await fx.store.keyRefs(Workflow.keying(Self.refs), at: fx.tick()) == 0)
        do {
            try await fx.store.keyRefs(Workflow.keying(PersonRefs(secret: Data(repeating: 8, count: 32))), at: fx.now)
            Issue.record("refs were keyed again with a different secret")
        } catch let error as BangfuError { #expect(error.code == .invalidConfig && error.en.contains("ref-key")) }
    }

    @Test(arguments: Engine.allCases) func formsAreCheckedAgainstTheHelpType(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let wf = workflow(fx)
        let h = try await fx.archive()
        do {
            _ = try await wf.fileCase(
                householdId: h.id, helpType: "hardship-relief", form: [:], by: fx.actor("cw"), at: fx.tick())
            Issue.record("a form without its required field was filed")
        } catch let e as BangfuError { #expect(e.code == .invalidInput && e.en.contains("cause")) }
        await #expect(throws: BangfuError.self) {
            try await wf.fileCase(
                householdId: h.id, helpType: "medical-aid", form: ["self_paid_fen": .string("lots")],
                by: fx.actor("cw"), at: fx.tick())
        }
        do {
            _ = try await wf.fileCase(
                householdId: h.id, helpType: "space-travel", form: [:], by: fx.actor("cw"), at: fx.tick())
            Issue.record("a case of a help type that is not loaded was filed")
        } catch let e as BangfuError { #expect(e.code == .notFound && e.en.contains("medical-aid")) }
    }

    @Test(arguments: Engine.allCases) func ineligibleIsRefusedWithThePluginsReasons(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let wf = workflow(fx)
        // ¥30,000 for 2 people with 低保 ¥1,000: relative hardship, so no monthly subsidy.
        let h = try await fx.store.createArchive(
            fx.input(income: Money(yuan: 30_000)), by: fx.actor("cw"), at: fx.tick())
        #expect(h.assessment.category == .relative)
        let c = try await reviewed(fx, wf, household: h.id, "monthly-subsidy", ["reason": .string("unable_to_work")])
        do {
            _ = try await wf.approve(caseId: c.id, by: fx.actor("ap"), at: fx.tick())
            Issue.record("an ineligible case was approved")
        } catch let e as BangfuError {
            #expect(e.code == .notEligible && e.zh.contains("深度困难"))
        }
        #expect(try await fx.store.helpCase(id: c.id).state == .branchReviewPassed)
    }

    @Test(arguments: Engine.allCases) func temporaryAidAndSameCauseRules(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let wf = workflow(fx)
        let h = try await fx.archive()
        _ = try await wf.fileCase(
            householdId: h.id, helpType: "hardship-relief", form: ["cause": .string("disaster")], by: fx.actor("cw"),
            at: fx.tick())
        do {
            _ = try await wf.fileCase(
                householdId: h.id, helpType: "hardship-relief", form: ["cause": .string("disaster")],
                by: fx.actor("cw"), at: fx.tick())
            Issue.record("the same cause was filed twice within the window")
        } catch let e as BangfuError { #expect(e.code == .hostRule && e.en.contains("same cause")) }
        _ = try await wf.fileCase(
            householdId: h.id, helpType: "hardship-relief", form: ["cause": .string("emergency")], by: fx.actor("cw"),
            at: fx.tick())
        do {
            _ = try await wf.fileCase(
                householdId: h.id, helpType: "hardship-relief", form: ["cause": .string("serious_illness")],
                by: fx.actor("cw"), at: fx.tick())
            Issue.record("a third temporary aid was filed in one year")
        } catch let e as BangfuError { #expect(e.code == .hostRule && e.en.contains("temporary-aid")) }
        // A help type not flagged temporary aid is not counted.
        _ = try await wf.fileCase(
            householdId: h.id, helpType: "medical-aid", form: ["self_paid_fen": .integer(100_000)], by: fx.actor("cw"),
            at: fx.tick())
        // Withdrawn cases do not count.
        let h2 = try await fx.archive()
        let w = try await wf.fileCase(
            householdId: h2.id, helpType: "hardship-relief", form: ["cause": .string("disaster")], by: fx.actor("cw"),
            at: fx.tick())
        _ = try await fx.store.apply(.withdraw(reason: "填错"), toCase: w.id, by: fx.actor("cw"), at: fx.tick())
        _ = try await wf.fileCase(
            householdId: h2.id, helpType: "hardship-relief", form: ["cause": .string("disaster")], by: fx.actor("cw"),
            at: fx.tick())
    }

    @Test(arguments: Engine.allCases) func yearlyCapAcrossHelpTypesLoansExcluded(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine, extraYAML: "rules:\n  yearly_cap: \"8000\"\n")
        let wf = workflow(fx)
        let h = try await fx.archive()
        let a = try await reviewed(fx, wf, household: h.id, "hardship-relief", ["cause": .string("disaster")])
        _ = try await wf.approve(caseId: a.id, by: fx.actor("ap"), at: fx.tick())  // ¥5,000
        let loan = try await reviewed(
            fx, wf, household: h.id, "micro-loan",
            ["purpose": .string("reemployment"), "principal_fen": .integer(5_000_000), "term_months": .integer(12)])
        let l = try await wf.approve(caseId: loan.id, by: fx.actor("ap"), at: fx.tick())  // loans are outside the cap
        #expect(l.helpCase.plan == .loan(principal: Money(yuan: 50_000), termMonths: 12))
        // ¥4,000 > ¥3,000 left
        let med = try await reviewed(fx, wf, household: h.id, "medical-aid", ["self_paid_fen": .integer(400_000)])
        do {
            _ = try await wf.approve(caseId: med.id, by: fx.actor("ap"), at: fx.tick())
            Issue.record("the yearly cap was exceeded")
        } catch let e as BangfuError { #expect(e.code == .hostRule && e.en.contains("8,000")) }
        #expect(try await fx.store.helpCase(id: med.id).state == .branchReviewPassed)
    }

    @Test(arguments: Engine.allCases) func factsCarryNoIdentity(engine: Engine) async throws {
        let fx = try await Fixture(engine: engine)
        let h = try await fx.archive()
        let facts = Workflow.facts(h, on: LocalDate(year: 2027, month: 3, day: 1)!, refs: Self.refs)
        let json = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
        #expect(!json.contains(h.input.head.idNumber.value) && !json.contains(h.input.head.name))
        #expect(
            facts.head.age == 2027 - h.input.head.idNumber.birthDate.year
                - (h.input.head.idNumber.birthDate.month > 3 ? 1 : 0))
        #expect(facts.head.ref == Self.refs.ref(h.archiveNo, h.input.head.idNumber) && facts.head.ref.count == 16)
    }
}
