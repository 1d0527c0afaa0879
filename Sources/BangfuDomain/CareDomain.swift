import BangfuCore
import Foundation

/// Every decision of care work: must-visits, pairing helpers with households, contacts, monthly
/// income, receptions at the window. A household is seen by the staff of its unit and by its helpers;
/// anyone else is told it does not exist.
public enum CareDomain {
    /// 脱困 suggestion: the six months up to last month each have a recorded per-capita income at or
    /// above the 低保 in force that month (a month missing or below it, no suggestion).
    public static func suggestsExit(
        _ household: Household, before day: LocalDate, rules: CategoryRules, income: (String) throws -> Money?
    ) throws -> Bool {
        guard var monthStart = LocalDate(year: day.year, month: day.month, day: 1)?.adding(months: -1) else {
            return false
        }
        for _ in 0..<6 {
            guard let recorded = try income(String(monthStart.description.prefix(7))),
                let standard = try? rules.dibaoStandard(region: household.input.region, on: monthStart),
                recorded >= standard.monthly
            else { return false }
            monthStart = monthStart.adding(months: -1)
        }
        return true
    }

    /// A household for care work by `actor`, with the refusal rule: `not_found` unless it may see
    /// the archive (staff of its unit, or a helper there), `permission_denied` without one of `roles`.
    static func household(_ work: some UnitOfWork, archiveNo: String, actor: Actor, roles: Set<Role>, for what: String)
        throws
        -> Household
    {
        let household = try work.household(archiveNo: archiveNo)
        try actor.require(
            anyOf: roles, on: RecordRef(.archive, archiveNo), unit: household.input.unitId, in: try work.unitTree(),
            readers: [.helper],
            for: what)
        return household
    }

    /// A visit due in the event's days, to the paired helper when there is one.
    public static func mustVisit(
        _ work: some UnitOfWork, archiveNo: String, event: MustVisitEvent, note: String?, by actor: Actor,
        at: Date, policy: Policy
    ) throws -> Visit {
        let household = try household(
            work, archiveNo: archiveNo, actor: actor, roles: [.caseworker, .helper], for: "must_visit")
        guard household.status == .open else {
            throw BangfuError(.archiveClosed, zh: "档案 \(archiveNo) 已关闭", en: "archive \(archiveNo) is closed")
        }
        let due = policy.caseRules.zone.date(of: at).adding(days: event.dueDays)
        let visit = try work.insertVisit(
            householdId: household.id, unitId: household.input.unitId, runId: nil,
            visitor: try work.pairedHelper(householdId: household.id), dueOn: due, mustVisitEvent: event.id,
            note: note)
        try work.audit(
            at: at, actor: actor.id, action: "must_visit", entity: "visit", entityId: String(visit.id))
        return visit
    }

    /// Refuses a helper who could never record a contact there: a name with no helper grant on the
    /// unit (a typo, an account that does not exist, someone of another unit).
    static func requireHelper(_ helper: Actor, unit: String, tree: UnitTree, field: String) throws {
        guard !helper.id.isEmpty, helper.id.count <= 64 else {
            throw BangfuError(.invalidInput, zh: "必须指定帮扶联系人", en: "a helper is required", context: ["field": field])
        }
        guard helper.holds(anyOf: [.helper], on: unit, in: tree) else {
            throw BangfuError(
                .invalidInput,
                zh: "\(helper.id) 不是单位 \(unit) 的帮扶联系人：请先在配置的 grants 中为其授予 helper 角色（并核对用户名）",
                en:
                    "\(helper.id) is not a helper of unit \(unit): grant them the helper role in the configuration first (and check the name)",
                context: ["field": field])
        }
    }

    public static func pair(
        _ work: some UnitOfWork, archiveNo: String, helper helperActor: Actor, by actor: Actor, at: Date
    )
        throws
    {
        let household = try household(work, archiveNo: archiveNo, actor: actor, roles: [.caseworker], for: "pair")
        try requireHelper(helperActor, unit: household.input.unitId, tree: try work.unitTree(), field: "helper")
        let helper = helperActor.id
        guard try !work.isPaired(householdId: household.id, helper: helper) else {
            throw BangfuError(
                .duplicate, zh: "\(helper) 已与 \(archiveNo) 结对", en: "\(helper) is already paired with \(archiveNo)")
        }
        try work.startPairing(householdId: household.id, helper: helper, at: at)
        try work.audit(
            at: at, actor: actor.id, action: "pair", entity: "household", entityId: archiveNo)
    }

    public static func unpair(_ work: some UnitOfWork, archiveNo: String, helper: String, by actor: Actor, at: Date)
        throws
    {
        let household = try household(work, archiveNo: archiveNo, actor: actor, roles: [.caseworker], for: "unpair")
        guard try work.endPairing(householdId: household.id, helper: helper, at: at) > 0 else {
            throw BangfuError(
                .notFound, zh: "\(helper) 未与 \(archiveNo) 结对", en: "\(helper) is not paired with \(archiveNo)")
        }
        try work.audit(
            at: at, actor: actor.id, action: "unpair", entity: "household", entityId: archiveNo)
    }

    /// When a helper leaves: every household of `unit`'s subtree paired with `from` moves to `to`,
    /// with its planned visits.
    public static func reassign(
        _ work: some UnitOfWork, from: String, to toActor: Actor, unit: String, by actor: Actor, at: Date
    ) throws -> Int {
        let tree = try work.unitTree()
        _ = try tree.require(unit)
        try actor.require(anyOf: [.caseworker], on: unit, in: tree, for: "reassign")
        try requireHelper(toActor, unit: unit, tree: tree, field: "to")
        let to = toActor.id
        let households = try work.householdsPaired(with: from, units: tree.subtree(of: unit))
        for id in households {
            _ = try work.endPairing(householdId: id, helper: from, at: at)
            if try !work.isPaired(householdId: id, helper: to) {
                try work.startPairing(householdId: id, helper: to, at: at)
            }
            try work.moveVisits(householdId: id, from: from, to: to)
        }
        try work.audit(
            at: at, actor: actor.id, action: "reassign", entity: "unit", entityId: unit)
        return households.count
    }

    /// The paired helper records their own contacts; a caseworker of the unit may record any.
    public static func contact(
        _ work: some UnitOfWork, archiveNo: String, kind: String, note: String?, by actor: Actor, at: Date
    ) throws {
        guard ["visit", "phone", "other"].contains(kind) else {
            throw BangfuError(
                .invalidInput, zh: "联系方式只能是 visit、phone 或 other", en: "a contact is visit, phone or other",
                context: ["field": "kind"])
        }
        let household = try household(
            work, archiveNo: archiveNo, actor: actor, roles: [.caseworker, .helper], for: "record_contact")
        if try !work.isPaired(householdId: household.id, helper: actor.id) {
            try actor.require(
                anyOf: [.caseworker], on: household.input.unitId, in: try work.unitTree(), for: "record_contact")
        }
        try work.insertContact(householdId: household.id, helper: actor.id, kind: kind, at: at, note: note)
        try work.audit(
            at: at, actor: actor.id, action: "contact", entity: "household", entityId: archiveNo)
    }

    /// A month's per-capita income, kept in the archive's history; never for a month still to come.
    public static func income(
        _ work: some UnitOfWork, archiveNo: String, month: String, perCapita: Money, by actor: Actor, at: Date,
        zone: BusinessZone
    )
        throws
    {
        let parts = month.split(separator: "-")
        guard month.count == 7, parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]),
            (2000...2100).contains(year),
            (1...12).contains(number)
        else {
            throw BangfuError(
                .invalidDate, zh: "月份应写成 YYYY-MM", en: "a month looks like YYYY-MM", context: ["field": "month"])
        }
        let today = zone.date(of: at)
        guard (year, number) <= (today.year, today.month) else {
            throw BangfuError(
                .invalidDate, zh: "\(month) 还没有到：只能登记本月及以前各月的收入",
                en: "\(month) has not come yet: income is recorded for this month or earlier",
                context: ["field": "month"])
        }
        _ = try perCapita.bounded(field: "perCapita", minimum: 0)
        let household = try household(
            work, archiveNo: archiveNo, actor: actor, roles: [.caseworker], for: "record_income")
        try work.recordIncome(householdId: household.id, month: month, perCapita: perCapita, at: at)
        try work.appendArchiveHistory(
            householdId: household.id,
            [
                ArchiveChange(
                    at: at, actor: actor.id, action: "record_income", field: "income.\(month)", oldValue: nil,
                    newValue: String(perCapita.fen))
            ])
        try work.audit(
            at: at, actor: actor.id, action: "record_income", entity: "household", entityId: archiveNo)
    }

    /// A reception at the window or on the 12351 hotline, by a caseworker of the unit; an archive or
    /// case it names must be one the caseworker may read.
    public static func reception(
        _ work: some UnitOfWork, _ reception: Reception, by actor: Actor, at: Date, policy: Policy
    ) throws
        -> Int64
    {
        guard ["window", "hotline_12351", "visit", "other"].contains(reception.channel) else {
            throw BangfuError(
                .invalidInput, zh: "接待渠道只能是 window、hotline_12351、visit、other",
                en: "a channel is window, hotline_12351, visit or other", context: ["field": "channel"])
        }
        guard ["helped", "referred", "not_helped", "pending"].contains(reception.outcome) else {
            throw BangfuError(
                .invalidInput, zh: "结果只能是 helped、referred、not_helped、pending",
                en: "an outcome is helped, referred, not_helped or pending", context: ["field": "outcome"])
        }
        guard Reception.kinds.contains(reception.kind) else {
            throw BangfuError(
                .invalidInput, zh: "接待类别只能是：\(Reception.kinds.joined(separator: ", "))",
                en: "a reception kind is one of: \(Reception.kinds.joined(separator: ", "))", context: ["field": "kind"]
            )
        }
        let tree = try work.unitTree()
        _ = try tree.require(reception.unitId)
        try actor.require(anyOf: [.caseworker], on: reception.unitId, in: tree, for: "record_reception")
        let householdId = try reception.archiveNo.map { number -> Int64 in
            let household = try work.household(archiveNo: number)
            try actor.requireRead(RecordRef(.archive, number), unit: household.input.unitId, in: tree)
            return household.id
        }
        let caseId = try reception.caseNo.map { number -> Int64 in
            guard let found = try work.caseRef(caseNo: number) else { throw RecordRef(.helpCase, number).notFound }
            try actor.requireRead(RecordRef(.helpCase, number), unit: found.unitId, in: tree)
            return found.id
        }
        let id = try work.insertReception(
            reception, householdId: householdId, caseId: caseId, by: actor.id, at: at,
            businessDate: policy.caseRules.zone.date(of: at))
        try work.audit(
            at: at, actor: actor.id, action: "reception", entity: "reception", entityId: String(id))
        return id
    }
}
