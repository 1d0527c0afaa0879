import BangfuCore
import Foundation

/// Every decision about a household archive (一户一档): who may create, change, review, close and
/// re-open it (on both units when it moves), one person in one open archive (named only to a
/// caller who may read the other), the derived category, history and audit.
public enum ArchiveDomain {
    /// Validates the input and derives its category as of `at`.
    public static func assess(_ input: ArchiveInput, at: Date, policy: Policy) throws -> CategoryAssessment {
        let today = policy.caseRules.zone.date(of: at)
        try input.validate(causes: policy.causes, today: today)
        return try policy.categoryRules.assess(input, on: today)
    }

    static func notEligible(_ assessment: CategoryAssessment) -> BangfuError {
        BangfuError(
            .notEligible, zh: "不符合建档条件：\(assessment.reasonZh)",
            en: "not eligible for an archive: \(assessment.reasonEn)")
    }

    /// - Parameter audited: false when the caller audits several creations in one entry (an
    ///   import's batch); the rows are recorded by that entry all the same.
    public static func create(
        _ work: some UnitOfWork, _ input: ArchiveInput, by actor: Actor, at: Date, policy: Policy, audited: Bool = true
    ) throws -> Household {
        let assessment = try assess(input, at: at, policy: policy)
        guard assessment.category != nil else { throw notEligible(assessment) }
        let today = policy.caseRules.zone.date(of: at)
        let tree = try work.unitTree()
        _ = try tree.require(input.unitId)
        try actor.require(anyOf: [.caseworker], on: input.unitId, in: tree, for: "create_archive")
        try requireNotInOtherArchive(work, input, except: nil, actor: actor, tree: tree)
        let number = CaseDomain.number("HA", today.year, try work.nextNumber("archive:\(today.year)"))
        var household = Household(
            id: 0, archiveNo: number, status: .open, input: input, assessment: assessment,
            reviewDue: today.adding(months: policy.reviewIntervalMonths), createdAt: at)
        household.id = try work.insertHousehold(household)
        try work.replacePersons(householdId: household.id, idNumbers: input.idNumbers, open: true)
        try record(work, household, old: nil, actor: actor.id, action: "create_archive", at: at, audited: audited)
        return household
    }

    public static func update(
        _ work: some UnitOfWork, id: Int64, _ input: ArchiveInput, by actor: Actor, at: Date, policy: Policy
    ) throws
        -> Household
    {
        let assessment = try assess(input, at: at, policy: policy)
        let tree = try work.unitTree()
        let old = try forChange(work, id: id, actor: actor, roles: [.caseworker], tree: tree, for: "update_archive")
        guard old.status == .open else {
            throw BangfuError(
                .archiveClosed, zh: "档案 \(old.archiveNo) 已关闭：如家庭重新陷入困难，请办理返困",
                en: "archive \(old.archiveNo) is closed: use re-entry if the household is in hardship again")
        }
        _ = try tree.require(input.unitId)
        try actor.require(anyOf: [.caseworker], on: input.unitId, in: tree, for: "update_archive")
        try requireNotInOtherArchive(work, input, except: id, actor: actor, tree: tree)
        var household = old
        household.input = input
        household.assessment = assessment
        try work.updateHousehold(household)
        try work.replacePersons(householdId: id, idNumbers: input.idNumbers, open: true)
        try record(work, household, old: old, actor: actor.id, action: "update_archive", at: at)
        return household
    }

    /// The yearly review: the category derived again, the next review date set.
    public static func review(_ work: some UnitOfWork, id: Int64, by actor: Actor, at: Date, policy: Policy) throws
        -> Household
    {
        let today = policy.caseRules.zone.date(of: at)
        let old = try forChange(
            work, id: id, actor: actor, roles: [.caseworker], tree: try work.unitTree(), for: "review_archive")
        guard old.status == .open else {
            throw BangfuError(
                .archiveClosed, zh: "档案 \(old.archiveNo) 已关闭，无需复核",
                en: "archive \(old.archiveNo) is closed; it needs no review")
        }
        var household = old
        household.assessment = try policy.categoryRules.assess(old.input, on: today)
        household.reviewDue = today.adding(months: policy.reviewIntervalMonths)
        try work.updateHousehold(household)
        try record(work, household, old: old, actor: actor.id, action: "review_archive", at: at)
        return household
    }

    /// Closes an archive (脱困 or otherwise) once none of its cases is unfinished; it is kept, never deleted.
    public static func exit(
        _ work: some UnitOfWork, id: Int64, reason: ExitReason, note: String, by actor: Actor, at: Date
    ) throws
        -> Household
    {
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw BangfuError(
                .invalidInput, zh: "必须填写脱困/撤档说明", en: "an exit note is required", context: ["field": "note"])
        }
        let old = try forChange(
            work, id: id, actor: actor, roles: [.approver], tree: try work.unitTree(), for: "exit_archive")
        guard old.status == .open else {
            throw BangfuError(
                .archiveClosed, zh: "档案 \(old.archiveNo) 已经关闭", en: "archive \(old.archiveNo) is already closed")
        }
        let unfinished = try work.unfinishedCases(householdId: id)
        guard unfinished == 0 else {
            throw BangfuError(
                .invalidInput, zh: "档案 \(old.archiveNo) 还有 \(unfinished) 件未办结的案件：请先办结或撤回",
                en: "archive \(old.archiveNo) still has \(unfinished) unfinished case(s): close or withdraw them first")
        }
        var household = old
        household.status = .closed
        household.closedAt = at
        household.exitReason = reason
        try work.updateHousehold(household)
        try work.replacePersons(householdId: id, idNumbers: old.input.idNumbers, open: false)
        try work.appendArchiveHistory(
            householdId: id,
            [
                ArchiveChange(
                    at: at, actor: actor.id, action: "exit_archive", field: "exit_note",
                    oldValue: nil, newValue: note)
            ])
        try record(work, household, old: old, actor: actor.id, action: "exit_archive", at: at)
        return household
    }

    /// Re-opens a closed archive (返困) with the household's current facts. It may move: the caseworker
    /// needs the role on the unit it leaves and on the unit it enters.
    public static func reenter(
        _ work: some UnitOfWork, id: Int64, _ input: ArchiveInput, by actor: Actor, at: Date, policy: Policy
    ) throws
        -> Household
    {
        let assessment = try assess(input, at: at, policy: policy)
        guard assessment.category != nil else { throw notEligible(assessment) }
        let tree = try work.unitTree()
        let old = try forChange(work, id: id, actor: actor, roles: [.caseworker], tree: tree, for: "reenter_archive")
        guard old.status == .closed else {
            throw BangfuError(
                .archiveOpen, zh: "档案 \(old.archiveNo) 仍在档，无需返困", en: "archive \(old.archiveNo) is still open")
        }
        guard old.erasedAt == nil else {
            throw BangfuError(
                .archiveClosed, zh: "档案 \(old.archiveNo) 已过保存期限、个人信息已清除，不能返困：请新建档案",
                en:
                    "archive \(old.archiveNo) is past its retention period and its personal data erased: create a new archive"
            )
        }
        _ = try tree.require(input.unitId)
        try actor.require(anyOf: [.caseworker], on: input.unitId, in: tree, for: "reenter_archive")
        try requireNotInOtherArchive(work, input, except: id, actor: actor, tree: tree)
        var household = old
        household.status = .open
        household.closedAt = nil
        household.exitReason = nil
        household.input = input
        household.assessment = assessment
        household.reviewDue = policy.caseRules.zone.date(of: at).adding(months: policy.reviewIntervalMonths)
        try work.updateHousehold(household)
        try work.replacePersons(householdId: id, idNumbers: input.idNumbers, open: true)
        try record(work, household, old: old, actor: actor.id, action: "reenter_archive", at: at)
        return household
    }

    /// Erases the personal data of an archive closed for longer than the retention period: its
    /// people's names, numbers, contacts, health and free text, in the archive and in its history
    /// (the erasable values, whose salted hashes the audit trail keeps, so `verify` still passes).
    /// The archive, its cases and its money stay. Only the system does this, on its daily run.
    public static func erase(_ work: some UnitOfWork, id: Int64, at: Date, policy: Policy) throws -> Household {
        let old = try work.household(id: id)
        let zone = policy.caseRules.zone
        guard old.status == .closed, old.erasedAt == nil, let closedAt = old.closedAt,
            zone.date(of: closedAt).adding(months: 12 * policy.retentionYears) <= zone.date(of: at)
        else {
            throw BangfuError(
                .invalidInput, zh: "档案 \(old.archiveNo) 未到保存期限或已清除，不能清除",
                en: "archive \(old.archiveNo) is not past its retention period, or was erased already")
        }
        var household = old
        household.input = old.input.erased()
        household.erasedAt = at
        try work.updateHousehold(household)
        try work.replacePersons(householdId: id, idNumbers: [], open: false)
        let values = try work.erasePersonalValues(householdId: id, at: at)
        let fields = ArchiveChange.diff(old: old.input, new: household.input, at: at, actor: "", action: "").count
        try work.appendArchiveHistory(
            householdId: id,
            [
                ArchiveChange(
                    at: at, actor: Actor.system.id, action: "retention_erase", field: "personal_data",
                    oldValue: nil,
                    newValue: "\(fields) fields, \(values) history values (retention \(policy.retentionYears) years)")
            ])
        try work.audit(
            at: at, actor: Actor.system.id, action: "retention_erase", entity: "household", entityId: old.archiveNo)
        return household
    }

    /// An archive for `actor` to change: `not_found` when it may not read it, `permission_denied`
    /// without one of `roles` on its unit, all before anything about the archive's state is told.
    static func forChange(
        _ work: some UnitOfWork, id: Int64, actor: Actor, roles: Set<Role>, tree: UnitTree, for what: String
    ) throws
        -> Household
    {
        let household = try work.household(id: id)
        try actor.require(
            anyOf: roles, on: RecordRef(.archive, household.archiveNo), unit: household.input.unitId, in: tree,
            for: what)
        return household
    }

    /// Refuses anyone already in another open archive. That archive and its unit are named only to
    /// an actor who may read it; anyone else learns only that the person is in an open archive elsewhere.
    static func requireNotInOtherArchive(
        _ work: some UnitOfWork, _ input: ArchiveInput, except id: Int64?, actor: Actor, tree: UnitTree
    )
        throws
    {
        for (index, idNumber) in input.idNumbers.enumerated() {
            guard let other = try work.openArchiveHolding(idNumber, except: id) else { continue }
            let who = index == 0 ? input.head.name : input.members[index - 1].name
            guard actor.mayRead(.archive, unit: other.unitId, in: tree) else {
                throw BangfuError(
                    .personInOtherArchive,
                    zh: "\(who)（\(idNumber.masked)）已在另一份在档家庭档案中，一人只能在一个在档家庭：请联系上级工会核实",
                    en:
                        "\(who) (\(idNumber.masked)) is already in another open archive; a person can be in one open archive only: ask the union above to check"
                )
            }
            throw BangfuError(
                .personInOtherArchive,
                zh: "\(who)（\(idNumber.masked)）已在档案 \(other.archiveNo)（\(other.unitId)）中，一人只能在一个在档家庭：请先更新或关闭那份档案",
                en:
                    "\(who) (\(idNumber.masked)) is already in open archive \(other.archiveNo) (\(other.unitId)); a person can be in one open archive only: update or close that archive first"
            )
        }
    }

    /// The field-level history of a change (old -> new) and its audit row (ids and hashes only).
    /// A creation is one line naming the archive: the archive is its own first version, and every
    /// later change records the values it replaced, so nothing is lost, while an import of a county's
    /// ledger no longer writes (and audits) twenty-odd history rows and personal-value copies per
    /// household, which was most of its time.
    static func record(
        _ work: some UnitOfWork, _ household: Household, old: Household?, actor: String, action: String, at: Date,
        audited: Bool = true
    ) throws {
        var changes =
            old == nil
            ? [
                ArchiveChange(
                    at: at, actor: actor, action: action, field: "archive", oldValue: nil,
                    newValue: household.archiveNo)
            ]
            : ArchiveChange.diff(old: old?.input, new: household.input, at: at, actor: actor, action: action)
        func meta(_ field: String, _ before: String?, _ after: String?) {
            if before != after {
                changes.append(
                    ArchiveChange(at: at, actor: actor, action: action, field: field, oldValue: before, newValue: after)
                )
            }
        }
        meta("status", old?.status.rawValue, household.status.rawValue)
        meta("category", old?.assessment.category?.rawValue, household.assessment.category?.rawValue)
        meta("review_due", old?.reviewDue.description, household.reviewDue.description)
        meta("exit_reason", old?.exitReason?.rawValue, household.exitReason?.rawValue)
        try work.appendArchiveHistory(householdId: household.id, changes)
        guard audited else { return }
        try work.audit(
            at: at, actor: actor, action: action, entity: "household", entityId: household.archiveNo)
    }
}
