import BangfuCore
import BangfuJSON
import BangfuPluginKit
import BangfuPlugins
import Crypto
import Foundation

/// The case workflow with help-type plugins: the form is checked against the help type, the plugin
/// assesses the household and proposes the payment, and the store applies it in one transaction.
///
/// The daemon and the command-line tools call this; it knows nothing of sockets or SQLite.
public struct Workflow: Sendable {
    public let store: any BangfuStore
    public let plugins: PluginRegistry
    public let zone: BusinessZone
    /// Makes the opaque person refs forms use (keyed: see `PersonRefs`).
    public let refs: PersonRefs

    public init(store: any BangfuStore, plugins: PluginRegistry, zone: BusinessZone, refs: PersonRefs) {
        self.store = store
        self.plugins = plugins
        self.zone = zone
        self.refs = refs
    }

    /// Files a draft case: the help type must be loaded and the form must pass its fields.
    public func fileCase(
        householdId: Int64, helpType: String, form: [String: FormValue], replaces: String? = nil, by actor: Actor,
        at: Date
    ) async throws -> HelpCase {
        var app = try application(helpType: helpType, form: form)
        app.replaces = replaces
        return try await store.fileCase(householdId: householdId, application: app, by: actor, at: at)
    }

    /// Corrects a case's form: checked against its help type as a new one is; the versions are kept.
    public func amend(caseId: Int64, form: [String: FormValue], note: String, by actor: Actor, at: Date)
        async throws -> HelpCase
    {
        let current = try await store.helpCase(id: caseId)
        let app = try application(helpType: current.helpType, form: form)
        return try await store.apply(
            .amend(formJSON: app.formJSON, cause: app.cause, note: note), toCase: caseId, by: actor, at: at
        ).helpCase
    }

    /// A form as an application of `helpType`: the help type must be loaded and the form pass its fields.
    func application(helpType: String, form: [String: FormValue]) throws -> CaseApplication {
        let p = try plugins.helpType(helpType)
        do { try p.descriptor.validate(form: form) } catch let e as PluginError {
            throw BangfuError(
                .invalidInput, zh: "\(p.descriptor.nameZh)申请表有误：\(e.zh)", en: "\(p.descriptor.nameEn) form: \(e.en)")
        }
        return CaseApplication(
            helpType: helpType, formJSON: try Workflow.canonical(form), cause: form["cause"]?.string,
            temporaryAid: p.descriptor.flags.contains(HelpTypeDescriptor.temporaryAid))
    }

    /// What the help type says about a case now: eligible or not, why, and the proposed payment.
    public func assess(caseId: Int64, at: Date) async throws -> Assessment {
        let c = try await store.helpCase(id: caseId)
        let p = try plugins.helpType(c.helpType)
        let request = try await request(for: c, at: at)
        return try p.assess([request])[0]
    }

    /// Approves a case with the payment its help type proposes; refused with the plugin's reasons
    /// when the household is not eligible, and by the host rules (yearly cap) in the store.
    public func approve(caseId: Int64, by actor: Actor, at: Date) async throws -> CaseOutcome {
        let a = try await assess(caseId: caseId, at: at)
        guard a.eligible, let proposal = a.plan else {
            throw BangfuError(
                .notEligible, zh: "不符合条件：" + a.reasons.map(\.zh).joined(separator: "；"),
                en: "not eligible: " + a.reasons.map(\.en).joined(separator: "; "))
        }
        return try await store.apply(.approve(plan: Workflow.plan(proposal)), toCase: caseId, by: actor, at: at)
    }

    /// Pays one instalment from a fund whose source the help type may draw on.
    public func pay(caseId: Int64, instalment: Int, fund fundId: String, by actor: Actor, at: Date) async throws
        -> CaseOutcome
    {
        let c = try await store.helpCase(id: caseId)
        let p = try plugins.helpType(c.helpType)
        let fund = try await store.fund(id: fundId)
        guard p.descriptor.fundSources.contains(fund.source.rawValue) else {
            throw BangfuError(
                .notEarmarked,
                zh: "\(p.descriptor.nameZh)不能使用\(fund.source.zh)资金（账户 \(fund.id)）",
                en: "\(p.descriptor.nameEn) may not draw on \(fund.source.rawValue) money (fund \(fund.id))")
        }
        return try await store.apply(
            .payInstalment(number: instalment, fund: fundId), toCase: caseId, by: actor, at: at)
    }

    /// Pays the next instalment by the daemon itself from the nearest fund that may pay it: earmarked
    /// for the help type, of an allowed source, of the case's unit or above, holding enough.
    /// Returns nil (and pays nothing) when no fund can.
    public func payFromNearestFund(caseId: Int64, at: Date) async throws -> CaseOutcome? {
        let c = try await store.helpCase(id: caseId)
        guard let plan = c.plan, plan.instalments > c.instalmentsPaid else { return nil }
        let p = try plugins.helpType(c.helpType)
        let tree = try await store.unitTree()
        let path = tree.path(of: c.unitId)
        var candidates: [(depth: Int, fund: FundAccount)] = []
        for f in try await store.funds()
        where f.helpTypes.contains(c.helpType) && p.descriptor.fundSources.contains(f.source.rawValue) {
            guard let depth = path.firstIndex(of: f.unitId) else { continue }
            if try await store.balance(fundId: f.id) >= plan.instalmentAmount { candidates.append((depth, f)) }
        }
        guard let best = candidates.min(by: { ($0.depth, $0.fund.id) < ($1.depth, $1.fund.id) }) else { return nil }
        return try await store.apply(
            .payInstalment(number: c.instalmentsPaid + 1, fund: best.fund.id), toCase: c.id, by: .system, at: at)
    }

    /// Assesses many households for a help type in one plugin call (campaign planning).
    public func assess(households: [Household], helpType: String, form: [String: FormValue], at: Date) async throws
        -> [Assessment]
    {
        let p = try plugins.helpType(helpType)
        let today = zone.date(of: at)
        let prior = try await store.caseSummaries(householdIds: households.map(\.id))
        let requests = try households.map { h in
            AssessmentRequest(
                on: today.description, household: Workflow.facts(h, on: today, refs: refs), form: form,
                prior: try (prior[h.id] ?? []).map { s in
                    PriorCase(
                        helpType: s.helpType, state: s.state.rawValue, filedOn: s.filedOn.description,
                        approvedTotalFen: s.total?.fen, form: try Workflow.form(s.formJSON))
                })
        }
        return try p.assess(requests)
    }

    /// The plugin request for a case: the household's facts (no names, no ID numbers) and its earlier cases.
    func request(for c: HelpCase, at: Date) async throws -> AssessmentRequest {
        let h = try await store.household(id: c.householdId)
        let today = zone.date(of: at)
        let prior = try await store.caseSummaries(householdId: h.id).filter { $0.caseNo != c.caseNo }
        return AssessmentRequest(
            on: today.description, household: Workflow.facts(h, on: today, refs: refs),
            form: try Workflow.form(c.formJSON),
            prior: try prior.map { s in
                PriorCase(
                    helpType: s.helpType, state: s.state.rawValue, filedOn: s.filedOn.description,
                    approvedTotalFen: s.total?.fen, form: try Workflow.form(s.formJSON))
            })
    }

    /// Household facts for a plugin on a date.
    public static func facts(_ h: Household, on today: LocalDate, refs: PersonRefs) -> HouseholdFacts {
        func age(_ id: IDNumber) -> Int {
            let b = id.birthDate
            return today.year - b.year - ((today.month, today.day) < (b.month, b.day) ? 1 : 0)
        }
        let p = h.input.head
        let head = PersonFacts(
            ref: refs.ref(h.archiveNo, p.idNumber), relation: "self", age: age(p.idNumber), sex: p.sex.rawValue,
            politicalStatus: p.politicalStatus.rawValue, modelWorkerLevel: p.modelWorkerLevel.rawValue,
            workStatus: p.workStatus.rawValue, status: nil, monthlyIncomeFen: 0, housingAreaSqm: p.housingAreaSqm)
        let members = h.input.members.map { m in
            PersonFacts(
                ref: refs.ref(h.archiveNo, m.idNumber), relation: m.relation, age: age(m.idNumber),
                sex: m.idNumber.sex.rawValue,
                status: m.status, monthlyIncomeFen: m.monthlyIncome.fen)
        }
        let a = h.assessment
        return HouseholdFacts(
            archiveNo: h.archiveNo, category: h.status == .open ? a.category?.rawValue : nil, size: h.input.size,
            annualIncomeFen: h.input.annualIncome.fen, rigidExpensesFen: h.input.rigidExpenses.fen,
            accidentCostsFen: h.input.accidentCosts.fen, perCapitaMonthlyFen: h.input.perCapitaMonthlyIncome.fen,
            dibaoMonthlyFen: a.dibaoMonthly.fen, region: h.input.region, reviewDue: h.reviewDue.description,
            head: head, members: members)
    }

    /// The core payment plan for a plugin's proposal.
    public static func plan(_ p: PlanProposal) -> PaymentPlan {
        switch p.kind {
        case .oneOff: return .oneOff(Money(fen: p.amountFen))
        case .monthly: return .monthly(Money(fen: p.amountFen), months: p.months ?? 1)
        case .loan: return .loan(principal: Money(fen: p.amountFen), termMonths: p.termMonths ?? 12)
        case .nonMonetary: return .nonMonetary
        }
    }

    public static func canonical(_ form: [String: FormValue]) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(form), as: UTF8.self)
    }

    static func form(_ json: String) throws -> [String: FormValue] {
        try JSONValueDecoder.decode([String: FormValue].self, from: json)
    }
}
