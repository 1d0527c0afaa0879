import BangfuCore
import Foundation

/// Every decision about a case, made in one place over a `UnitOfWork`: who may file or act on it
/// (the refusal rule of `Access`), the case machine, separation of duties, host rules, earmarks,
/// the fund's unit, overdraft and bounds, and what the history and the audit chain record.
public enum CaseDomain {
    /// Checks what can be checked before a transaction: the help type's id and the form's shape.
    public static func checkApplication(_ application: CaseApplication) throws {
        guard (try? JSONSerialization.jsonObject(with: Data(application.formJSON.utf8))) is [String: Any] else {
            throw BangfuError(.invalidInput, zh: "申请表不是 JSON 对象", en: "the application form is not a JSON object")
        }
        let helpType = application.helpType
        guard !helpType.isEmpty, helpType.count <= 40,
            helpType.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw BangfuError(
                .invalidInput, zh: "帮扶项目代码“\(helpType)”无效", en: "help type id \"\(helpType)\" is invalid",
                context: ["field": "helpType"])
        }
    }

    /// Files a draft case for an open archive the actor may file for; host rules on filing apply.
    public static func fileCase(
        _ work: some UnitOfWork, householdId: Int64, application: CaseApplication, by actor: Actor, at: Date,
        policy: Policy
    ) throws -> HelpCase {
        let tree = try work.unitTree()
        let household = try work.household(id: householdId)
        try actor.require(
            anyOf: [.caseworker, .system], on: RecordRef(.archive, household.archiveNo), unit: household.input.unitId,
            in: tree, for: "file_case")
        // 依档帮扶: no case without an open archive.
        guard household.status == .open else {
            throw BangfuError(
                .archiveClosed, zh: "档案 \(household.archiveNo) 已关闭，不能申请帮扶：如重新陷入困难请先办理返困",
                en: "archive \(household.archiveNo) is closed; no help can be applied for: re-enter it first")
        }
        let zone = policy.caseRules.zone
        let today = zone.date(of: at)
        try policy.hostRules.checkFiling(
            application, on: today, prior: try work.caseSummaries(householdId: household.id, zone: zone))
        if let replaced = application.replaces {
            try requireReplaceable(work, replaced, household: household, actor: actor, tree: tree)
        }
        let number = CaseDomain.number("BF", today.year, try work.nextNumber("case:\(today.year)"))
        var draft = HelpCase(
            id: 0, caseNo: number, householdId: household.id, unitId: household.input.unitId,
            helpType: application.helpType,
            filedBy: actor.id, formJSON: application.formJSON, cause: application.cause,
            temporaryAid: application.temporaryAid)
        draft.replaces = application.replaces
        let filed = try work.insertCase(draft, at: at)
        try work.audit(
            at: at, actor: actor.id, action: "file_case", entity: "case", entityId: number)
        return filed
    }

    /// A case filed again replaces one of the same household that ended without help (withdrawn
    /// or rejected), once: the new case links to it, so the history reads as one application.
    static func requireReplaceable(
        _ work: some UnitOfWork, _ caseNo: String, household: Household, actor: Actor, tree: UnitTree
    ) throws {
        let record = RecordRef(.helpCase, caseNo)
        guard let replaced = try work.helpCase(caseNo: caseNo) else { throw record.notFound }
        try actor.requireRead(record, unit: replaced.unitId, in: tree)
        guard replaced.householdId == household.id else {
            throw BangfuError(
                .invalidInput, zh: "案件 \(caseNo) 不是档案 \(household.archiveNo) 的案件",
                en: "case \(caseNo) is not a case of archive \(household.archiveNo)", context: ["field": "replaces"])
        }
        guard replaced.state == .withdrawn || replaced.state == .rejected else {
            throw BangfuError(
                .invalidInput, zh: "案件 \(caseNo) 尚在办理（\(replaced.state.zh)）：可修改申请表，不必重新申请",
                en: "case \(caseNo) is still open (\(replaced.state.rawValue)): amend its form instead of filing again",
                context: ["field": "replaces"])
        }
    }

    /// A readable number such as `BF-2027-000123`.
    public static func number(_ prefix: String, _ year: Int, _ sequence: Int) -> String {
        let digits = String(sequence)
        return "\(prefix)-\(year)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
    }

    /// Applies one event: who may (before anything about the case is told), the machine, money, history, audit.
    public static func apply(
        _ work: some UnitOfWork, _ event: CaseEvent, toCase id: Int64, by actor: Actor, at: Date,
        policy: Policy
    ) throws -> CaseOutcome {
        let rules = policy.caseRules
        let current = try work.helpCase(id: id)
        let tree = try work.unitTree()
        let record = RecordRef(.helpCase, current.caseNo)
        try actor.requireRead(record, unit: current.unitId, in: tree)
        // A retried payment finds the first one and pays nothing more, told only to whoever may pay it.
        if case .payInstalment(let number, _) = event, let paid = try work.disbursement(caseId: id, instalment: number)
        {
            try actor.require(
                anyOf: [.treasurer, .system], on: record, unit: current.unitId, in: tree, for: event.kind.rawValue)
            var again = paid
            again.alreadyPaid = true
            return CaseOutcome(helpCase: current, disbursement: again, unitTree: tree)
        }
        try actor.require(
            anyOf: CaseMachine.roles(for: event.kind), on: record, unit: current.unitId, in: tree,
            for: event.kind.rawValue)
        let transition = try CaseMachine.transition(event.kind, from: current.state)
        try actor.require(anyOf: transition.roles, on: current.unitId, in: tree, for: event.kind.rawValue)
        let (next, effects) = try CaseMachine.apply(event, to: current, by: actor.id, at: at, rules: rules)
        if case .payInstalment(let number, _) = event {
            try requireDue(work, current, instalment: number, on: rules.zone.date(of: at), policy: policy)
        }
        if case .approve(let plan) = event {
            let others = try work.caseSummaries(householdId: current.householdId, zone: rules.zone).filter {
                $0.caseNo != current.caseNo
            }
            try policy.hostRules.checkApproval(plan, on: rules.zone.date(of: at), prior: others)
        }
        var disbursement: Disbursement?
        for effect in effects {
            switch effect {
            case .armNoticeTimer, .cancelNoticeTimer: break  // the deadline is saved with the case
            case .keepFormVersions:
                try work.keepFormVersion(
                    caseId: current.id, next: next.formJSON, at: at, actor: actor.id, note: event.comment ?? "")
            case .planDisbursements: break  // instalments are paid one by one against the stored plan
            case .debit(let fundId, let amount, let instalment, let loan):
                disbursement = try pay(
                    work, current, fundId: fundId, amount: amount, instalment: instalment, loan: loan, actor: actor,
                    tree: tree, at: at, policy: policy)
            case .credit(let fundId, let amount):
                try receive(
                    work, current, fundId: fundId, amount: amount, actor: actor, tree: tree, at: at, policy: policy)
            }
        }
        try work.saveCase(next, at: at)
        try work.appendCaseEvent(
            caseId: current.id, at: at, actor: actor.id, event: event.kind, from: current.state, to: next.state,
            comment: event.comment)
        try work.audit(
            at: at, actor: actor.id, action: event.kind.rawValue, entity: "case", entityId: current.caseNo)
        return CaseOutcome(helpCase: next, disbursement: disbursement, unitTree: tree)
    }

    /// A monthly instalment is never paid before it falls due (`PaymentPlan.monthlyDue`): paid early,
    /// the months after it would go without one and the schedule would end short.
    static func requireDue(
        _ work: some UnitOfWork, _ helpCase: HelpCase, instalment number: Int, on today: LocalDate, policy: Policy
    ) throws {
        guard case .monthly? = helpCase.plan, number >= 2,
            let first = try work.disbursement(caseId: helpCase.id, instalment: 1),
            let due = PaymentPlan.monthlyDue(
                instalment: number, firstPaidOn: policy.caseRules.zone.date(of: first.paidAt),
                payDay: policy.monthlyPayDay),
            today < due
        else { return }
        throw BangfuError(
            .invalidInput, zh: "第 \(number) 期 \(due) 才到期，不能提前发放",
            en: "instalment \(number) falls due on \(due); it cannot be paid early",
            context: ["field": "instalment"])
    }

    /// Pays one instalment: earmarking, the fund's unit, the payer's role and the balance, checked
    /// inside the transaction that writes the ledger.
    static func pay(
        _ work: some UnitOfWork, _ helpCase: HelpCase, fundId: String, amount: Money, instalment: Int, loan: Bool,
        actor: Actor, tree: UnitTree, at: Date, policy: Policy
    ) throws -> Disbursement {
        let fund = try work.fund(id: fundId)
        try actor.requireRead(RecordRef(.fund, fundId), unit: fund.unitId, in: tree)
        try fund.requireEarmarked(for: helpCase.helpType)
        guard tree.isWithin(helpCase.unitId, root: fund.unitId) else {
            throw BangfuError(
                .notEarmarked, zh: "资金账户 \(fund.id) 属于 \(fund.unitId)，不能支付 \(helpCase.unitId) 的案件",
                en: "fund \(fund.id) belongs to \(fund.unitId) and may not pay cases of \(helpCase.unitId)")
        }
        // The daemon pays by itself only when configured to pay at the end of the notice.
        try actor.require(anyOf: [.treasurer, .system], on: fund.unitId, in: tree, for: "pay_instalment")
        _ = try amount.bounded(field: "amount", minimum: 1)
        let balance = try work.balance(fundId: fundId)
        guard balance >= amount else {
            throw BangfuError(
                .overdraft, zh: "资金账户 \(fund.id) 余额 \(balance)，不足以支付 \(amount)：拒绝透支，请先入账或调拨",
                en:
                    "fund \(fund.id) holds \(balance), not enough for \(amount): overdraft refused; deposit or transfer first"
            )
        }
        let postings = [
            (account: LedgerAccount.fund(fundId), fen: -amount.fen),
            (account: loan ? LedgerAccount.loansReceivable : LedgerAccount.aidExpense, fen: amount.fen),
        ]
        let transaction = try FundDomain.post(
            work, kind: loan ? .loanOut : .disbursement, at: at, actor: actor.id, memo: helpCase.caseNo,
            caseId: helpCase.id, instalment: instalment, postings: postings, policy: policy)
        let paid = Disbursement(
            caseId: helpCase.id, instalment: instalment, fundId: fundId, amount: amount, paidAt: at, paidBy: actor.id,
            alreadyPaid: false)
        try work.insertDisbursement(paid, ledgerTransaction: transaction)
        return paid
    }

    /// A loan repayment: by a treasurer of the fund, back into the fund that lent, within its bounds.
    static func receive(
        _ work: some UnitOfWork, _ helpCase: HelpCase, fundId: String, amount: Money, actor: Actor, tree: UnitTree,
        at: Date, policy: Policy
    ) throws {
        let fund = try work.fund(id: fundId)
        try actor.require(
            anyOf: [.treasurer], on: RecordRef(.fund, fundId), unit: fund.unitId, in: tree, for: "receive_repayment")
        let lender = try work.firstPaymentFund(caseId: helpCase.id)
        guard lender == fundId else {
            throw BangfuError(
                .notEarmarked, zh: "还款须退回出借的资金账户 \(lender ?? "?")，不能记入 \(fundId)",
                en: "a repayment returns to the fund that lent (\(lender ?? "?")), not to \(fundId)",
                context: ["field": "fundId"])
        }
        guard try work.balance(fundId: fundId).adding(amount, "balance") <= Money.maximumBalance else {
            throw Money.overflow("balance")
        }
        try FundDomain.post(
            work, kind: .repayment, at: at, actor: actor.id, memo: helpCase.caseNo, caseId: helpCase.id,
            instalment: nil,
            postings: [
                (account: LedgerAccount.fund(fundId), fen: amount.fen),
                (account: LedgerAccount.loansReceivable, fen: -amount.fen),
            ],
            policy: policy)
    }
}
