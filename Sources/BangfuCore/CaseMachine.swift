import Foundation

/// The kinds of event a case can receive. Raw values are stable protocol names.
public enum CaseEventKind: String, Sendable, Codable, CaseIterable {
    case submit
    case returnForInfo = "return_for_info"
    case resubmit
    case passReview = "pass_review"
    case reject
    case approve
    case object
    case dismissObjection = "dismiss_objection"
    case upholdObjection = "uphold_objection"
    case noticeElapsed = "notice_elapsed"
    case scheduleDisbursement = "schedule_disbursement"
    case payInstalment = "pay_instalment"
    case receiveRepayment = "receive_repayment"
    case close
    case withdraw
    case recordService = "record_service"
    /// The form corrected (after a return or an upheld objection): a new kept version, same state.
    case amend
}

/// An event applied to a case, with what it carries.
public enum CaseEvent: Sendable, Hashable {
    case submit
    case returnForInfo(reason: String)
    case resubmit
    case passReview(comment: String?)
    case reject(reason: String)
    /// The approver enters the amount and plan and opens the public notice.
    case approve(plan: PaymentPlan)
    /// An objection to the public notice, recorded by staff; the text stays out of the audit trail.
    case object(summary: String)
    case dismissObjection(decision: String)
    case upholdObjection(decision: String)
    /// The notice deadline passed; sent by the daemon's timer, never by hand.
    case noticeElapsed
    case scheduleDisbursement
    case payInstalment(number: Int, fund: String)
    case receiveRepayment(amount: Money, fund: String)
    case close(reason: String)
    case withdraw(reason: String)
    /// Help without money delivered (legal aid, a job referral): what, by whom, and the outcome;
    /// it closes the case.
    case recordService(service: String, deliveredBy: String, outcome: String)
    /// The form replaced by `formJSON` (checked against the help type by the workflow), with why.
    case amend(formJSON: String, cause: String?, note: String)

    public var kind: CaseEventKind {
        switch self {
        case .submit: return .submit
        case .returnForInfo: return .returnForInfo
        case .resubmit: return .resubmit
        case .passReview: return .passReview
        case .reject: return .reject
        case .approve: return .approve
        case .object: return .object
        case .dismissObjection: return .dismissObjection
        case .upholdObjection: return .upholdObjection
        case .noticeElapsed: return .noticeElapsed
        case .scheduleDisbursement: return .scheduleDisbursement
        case .payInstalment: return .payInstalment
        case .receiveRepayment: return .receiveRepayment
        case .close: return .close
        case .withdraw: return .withdraw
        case .recordService: return .recordService
        case .amend: return .amend
        }
    }

    /// Comment or reason text, kept in the case history (not in the audit chain, which keeps its hash).
    public var comment: String? {
        switch self {
        case .returnForInfo(let s), .reject(let s), .object(let s), .dismissObjection(let s),
            .upholdObjection(let s), .close(let s), .withdraw(let s):
            return s
        case .passReview(let c): return c
        case .amend(_, _, let note): return note
        case .recordService(let service, let deliveredBy, let outcome): return "\(service)；\(deliveredBy)；\(outcome)"
        default: return nil
        }
    }
}

/// Where a transition goes.
public enum TransitionTarget: Sendable, Hashable {
    case state(CaseState)
    /// After a payment: `active` while instalments (or loan repayments) remain, else `closed`.
    case afterPayment
    /// The state does not change (an amendment).
    case unchanged
}

/// One row of the transition table: an event from a state to a target, by which roles.
public struct CaseTransition: Sendable, Hashable {
    public let event: CaseEventKind
    public let from: CaseState
    public let to: TransitionTarget
    public let roles: Set<Role>
}

/// Something the store must do in the same transaction as a transition.
public enum CaseEffect: Sendable, Hashable {
    /// Arm (or re-arm) the notice timer to fire at this instant.
    case armNoticeTimer(at: Date)
    /// Keep the form as it was before an amendment, and the new one, as numbered versions.
    case keepFormVersions(previous: String)
    case cancelNoticeTimer
    /// Create the disbursement plan rows.
    case planDisbursements(PaymentPlan)
    /// Pay one instalment from a fund; unique per case and instalment.
    case debit(fund: String, amount: Money, instalment: Int, loan: Bool)
    /// Credit a loan repayment to a fund.
    case credit(fund: String, amount: Money)
}

/// What the machine needs from configuration to compute dates.
public struct CaseRules: Sendable {
    public var zone: BusinessZone
    public var calendar: WorkCalendar
    /// Public notice length in working days (default 5).
    public var noticeWorkingDays: Int

    public init(zone: BusinessZone = .shanghai, calendar: WorkCalendar = WorkCalendar(), noticeWorkingDays: Int = 5) {
        self.zone = zone
        self.calendar = calendar
        self.noticeWorkingDays = noticeWorkingDays
    }
}

/// The case state machine: a pure function from (case, event, actor, time) to (case, effects) or a typed error.
public enum CaseMachine {
    /// Every allowed transition, as data. Anything not listed is refused with `invalid_transition`.
    public static let transitions: [CaseTransition] = {
        func t(_ e: CaseEventKind, _ from: [CaseState], _ to: TransitionTarget, _ roles: Set<Role>) -> [CaseTransition]
        {
            from.map { CaseTransition(event: e, from: $0, to: to, roles: roles) }
        }
        let beforePayment: [CaseState] = [
            .draft, .submitted, .returned, .branchReviewPassed, .inNotice, .objected, .noticePassed,
        ]
        return t(.submit, [.draft], .state(.submitted), [.caseworker, .system])
            + t(.returnForInfo, [.submitted], .state(.returned), [.reviewer])
            + t(.resubmit, [.returned], .state(.submitted), [.caseworker])
            + t(.passReview, [.submitted], .state(.branchReviewPassed), [.reviewer])
            + t(.reject, [.submitted], .state(.rejected), [.reviewer])
            + t(.reject, [.branchReviewPassed], .state(.rejected), [.approver])
            + t(.approve, [.branchReviewPassed], .state(.inNotice), [.approver])
            + t(.object, [.inNotice], .state(.objected), [.caseworker, .reviewer, .approver])
            + t(.dismissObjection, [.objected], .state(.inNotice), [.approver])
            + t(.upholdObjection, [.objected], .state(.submitted), [.approver])
            + t(.noticeElapsed, [.inNotice], .state(.noticePassed), [.system])
            + t(.scheduleDisbursement, [.noticePassed], .state(.disbursing), [.system, .treasurer])
            + t(.payInstalment, [.disbursing, .active], .afterPayment, [.treasurer, .system])
            + t(.receiveRepayment, [.active], .afterPayment, [.treasurer])
            + t(.close, [.disbursing, .active], .state(.closed), [.approver])
            + t(.recordService, [.disbursing], .state(.closed), [.caseworker, .approver])
            + t(.withdraw, beforePayment, .state(.withdrawn), [.caseworker])
            + t(.amend, [.draft, .submitted, .returned], .unchanged, [.caseworker])
    }()

    private static let index: [CaseEventKind: [CaseState: CaseTransition]] = {
        var m: [CaseEventKind: [CaseState: CaseTransition]] = [:]
        for tr in transitions { m[tr.event, default: [:]][tr.from] = tr }
        return m
    }()

    /// Every role that may send `kind` in some state: a caller with none of them is refused before
    /// the case's state is told.
    public static func roles(for kind: CaseEventKind) -> Set<Role> { rolesByEvent[kind] ?? [] }

    private static let rolesByEvent: [CaseEventKind: Set<Role>] = {
        var roles: [CaseEventKind: Set<Role>] = [:]
        for transition in transitions { roles[transition.event, default: []].formUnion(transition.roles) }
        return roles
    }()

    /// The transition for an event in a state, or `invalid_transition` naming both.
    public static func transition(_ kind: CaseEventKind, from state: CaseState) throws -> CaseTransition {
        guard let tr = index[kind]?[state] else {
            throw BangfuError(
                .invalidTransition,
                zh: "案件处于“\(state.zh)”状态，不能\(Words.of(.event, kind.rawValue, .zh))",
                en: "a case in state \(state.rawValue) cannot take event \(kind.rawValue)",
                context: ["state": state.rawValue, "event": kind.rawValue])
        }
        return tr
    }

    /// Applies an event. Roles are checked by the caller against the unit tree (the machine knows
    /// only which roles a transition needs); the machine checks state, separation of duties and guards.
    public static func apply(
        _ event: CaseEvent, to c: HelpCase, by actor: String, at now: Date,
        rules: CaseRules
    ) throws -> (HelpCase, [CaseEffect]) {
        let tr = try transition(event.kind, from: c.state)
        var n = c
        var effects: [CaseEffect] = []
        let today = rules.zone.date(of: now)

        func sod(_ who: String?, _ zh: String, _ en: String) throws {
            // Separation of duties is between people: the daemon files campaign cases and may pay them
            // (a person reviewed and approved them); its role allows nothing in between.
            if let who, who == actor, actor != Actor.system.id {
                throw BangfuError(.separationOfDuties, zh: "职责分离：\(zh)", en: "separation of duties: \(en)")
            }
        }
        func needText(_ s: String, _ what: String, _ whatEn: String) throws {
            if s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw BangfuError(.invalidInput, zh: "必须填写\(what)", en: "a \(whatEn) is required")
            }
        }
        func deadline(_ p: NoticePeriod) -> Date { rules.zone.startOfDay(p.passesOn(rules.calendar)) }

        switch event {
        case .submit, .resubmit:
            n.reason = nil
        case .returnForInfo(let r):
            try needText(r, "退回原因", "reason for return")
            try sod(c.filedBy, "申请经办人不能初审本案", "whoever filed the case may not review it")
            n.reason = r
        case .passReview:
            try sod(c.filedBy, "申请经办人不能初审本案", "whoever filed the case may not review it")
            n.reviewedBy = actor
        case .reject(let r):
            try needText(r, "不予通过的理由", "reason for rejection")
            try sod(c.filedBy, "申请经办人不能审核本案", "whoever filed the case may not review it")
            if c.state == .branchReviewPassed {
                try sod(c.reviewedBy, "初审人不能终审本案", "whoever reviewed the case may not approve it")
            }
            n.reason = r
        case .approve(let plan):
            try plan.validate()
            try sod(c.filedBy, "申请经办人不能审批本案", "whoever filed the case may not approve it")
            try sod(c.reviewedBy, "初审人不能审批本案", "whoever reviewed the case may not approve it")
            n.approvedBy = actor
            n.approvedAt = now
            n.plan = plan
            let p = NoticePeriod(countsAfter: today, workingDays: rules.noticeWorkingDays)
            n.notice = p
            n.frozenRemainingDays = nil
            n.noticeDeadline = deadline(p)
            effects.append(.armNoticeTimer(at: deadline(p)))
        case .object(let s):
            try needText(s, "异议内容摘要", "summary of the objection")
            guard let p = c.notice, now < deadline(p) else {
                throw BangfuError(
                    .invalidTransition, zh: "公示期已满，不能再登记异议",
                    en: "the notice period is over; no objection can be recorded")
            }
            n.frozenRemainingDays = p.remaining(on: today, rules.calendar)
            n.noticeDeadline = nil
            effects.append(.cancelNoticeTimer)
        case .dismissObjection(let d):
            try needText(d, "异议处理结论", "decision on the objection")
            let p = NoticePeriod(countsAfter: today, workingDays: c.frozenRemainingDays ?? rules.noticeWorkingDays)
            n.notice = p
            n.frozenRemainingDays = nil
            n.noticeDeadline = deadline(p)
            effects.append(.armNoticeTimer(at: deadline(p)))
        case .upholdObjection(let d):
            try needText(d, "异议处理结论", "decision on the objection")
            // Back to review: a later approval opens a full new notice.
            n.reviewedBy = nil
            n.approvedBy = nil
            n.approvedAt = nil
            n.plan = nil
            n.notice = nil
            n.frozenRemainingDays = nil
            n.reason = d
        case .noticeElapsed:
            guard let p = c.notice, now >= deadline(p) else {
                throw BangfuError(.noticeNotElapsed, zh: "公示期尚未届满", en: "the notice period has not ended yet")
            }
            n.noticeDeadline = nil
        case .scheduleDisbursement:
            guard let plan = c.plan else {
                throw BangfuError(.invalidInput, zh: "案件没有发放计划", en: "the case has no payment plan")
            }
            effects.append(.planDisbursements(plan))
        case .payInstalment(let number, let fund):
            guard let plan = c.plan, plan.instalments > 0 else {
                throw BangfuError(.invalidInput, zh: "本案为非资金帮扶，没有发放", en: "this case pays no money")
            }
            try sod(c.filedBy, "申请经办人不能发放本案资金", "whoever filed the case may not pay it")
            try sod(c.reviewedBy, "初审人不能发放本案资金", "whoever reviewed the case may not pay it")
            try sod(c.approvedBy, "审批人不能发放本案资金", "whoever approved the case may not pay it")
            guard number == c.instalmentsPaid + 1, number <= plan.instalments else {
                throw BangfuError(
                    .invalidInput,
                    zh: "应发放第 \(c.instalmentsPaid + 1) 期（共 \(plan.instalments) 期），不是第 \(number) 期",
                    en: "the next instalment is \(c.instalmentsPaid + 1) of \(plan.instalments), not \(number)")
            }
            if c.state == .active && plan.isLoan {
                throw BangfuError(.invalidTransition, zh: "借款已发放，正在还款", en: "the loan is paid out and being repaid")
            }
            n.instalmentsPaid = number
            effects.append(.debit(fund: fund, amount: plan.instalmentAmount, instalment: number, loan: plan.isLoan))
        case .receiveRepayment(let amount, let fund):
            guard case .loan(let principal, _)? = c.plan else {
                throw BangfuError(
                    .invalidTransition, zh: "本案不是借款，不能登记还款", en: "this case is not a loan; no repayment can be recorded"
                )
            }
            guard amount.fen > 0, amount.fen <= principal.fen - c.repaid.fen else {
                throw BangfuError(
                    .invalidInput, zh: "还款金额须大于 0 且不超过未还本金 \(principal - c.repaid)",
                    en: "a repayment must be above 0 and at most the outstanding \(principal - c.repaid)",
                    context: ["field": "amount"])
            }
            n.repaid = c.repaid + amount
            effects.append(.credit(fund: fund, amount: amount))
        case .close(let r):
            try needText(r, "办结说明", "closing note")
            if c.state == .disbursing, let plan = c.plan, plan.instalments > 0 {
                throw BangfuError(
                    .invalidTransition, zh: "资金尚未发放，不能直接办结；如需终止请撤回",
                    en: "money has not been paid yet; withdraw the case instead of closing it")
            }
            n.reason = r
        case .recordService(let service, let deliveredBy, let outcome):
            guard c.plan == .nonMonetary else {
                throw BangfuError(
                    .invalidInput, zh: "本案有资金发放：请由财务发放，不能登记为服务",
                    en: "this case pays money: the treasurer pays it; it cannot be recorded as a service")
            }
            try needText(service, "服务内容", "service")
            try needText(deliveredBy, "服务提供人", "provider")
            try needText(outcome, "服务结果", "outcome")
            for text in [service, deliveredBy, outcome] where text.count > 500 {
                throw BangfuError(
                    .invalidInput, zh: "服务记录每项最多 500 字", en: "each part of a service record is at most 500 characters")
            }
            n.reason = outcome
        case .amend(let formJSON, let cause, let note):
            try needText(note, "修改说明", "note on what was corrected")
            guard formJSON != c.formJSON else {
                throw BangfuError(.invalidInput, zh: "申请表没有改动", en: "the form is unchanged")
            }
            n.formJSON = formJSON
            n.cause = cause
            effects.append(.keepFormVersions(previous: c.formJSON))
        case .withdraw(let r):
            try needText(r, "撤回原因", "reason for withdrawal")
            n.reason = r
            n.noticeDeadline = nil
            if c.state == .inNotice { effects.append(.cancelNoticeTimer) }
        }

        switch tr.to {
        case .state(let s):
            n.state = s
        case .unchanged:
            break
        case .afterPayment:
            let plan = n.plan!
            if plan.isLoan {
                n.state = n.repaid == plan.instalmentAmount ? .closed : .active
            } else {
                n.state = n.instalmentsPaid >= plan.instalments ? .closed : .active
            }
        }
        n.version += 1
        return (n, effects)
    }
}
