import BangfuCore
import Foundation

/// Every decision about money outside a case: who may create, fill and move a fund, which funds
/// money may move between, two people for every transfer, bounds and overdraft.
public enum FundDomain {
    /// Writes one balanced ledger transaction and its audit row; returns the transaction's id.
    @discardableResult
    static func post(
        _ work: some UnitOfWork, kind: LedgerKind, at: Date, actor: String, memo: String?, caseId: Int64?,
        instalment: Int?,
        postings: [(account: String, fen: Int64)], policy: Policy
    ) throws -> Int64 {
        guard try Money.sum(postings.map { Money(fen: $0.fen) }, "ledger") == .zero else {
            throw BangfuError(.storage, zh: "账务分录不平衡", en: "an unbalanced ledger transaction was refused")
        }
        let transaction = try work.postLedger(
            kind: kind, at: at, businessDate: policy.caseRules.zone.date(of: at), actor: actor, memo: memo,
            caseId: caseId, instalment: instalment, postings: postings)
        try work.audit(
            at: at, actor: actor, action: "ledger_\(kind.rawValue)", entity: "ledger_txn",
            entityId: String(transaction))
        return transaction
    }

    /// A fund for `actor` to act on: `not_found` when it may not read it, `permission_denied` without one of `roles`.
    static func fund(
        _ work: some UnitOfWork, id: String, actor: Actor, roles: Set<Role>, tree: UnitTree, for what: String
    ) throws
        -> FundAccount
    {
        let fund = try work.fund(id: id)
        try actor.require(anyOf: roles, on: RecordRef(.fund, id), unit: fund.unitId, in: tree, for: what)
        return fund
    }

    public static func createFund(_ work: some UnitOfWork, _ fund: FundAccount, by actor: Actor, at: Date) throws {
        try fund.validate()
        let tree = try work.unitTree()
        _ = try tree.require(fund.unitId)
        try actor.require(anyOf: [.treasurer], on: fund.unitId, in: tree, for: "create_fund")
        guard try !work.fundExists(id: fund.id) else {
            throw BangfuError(.duplicate, zh: "资金账户 \(fund.id) 已存在", en: "fund \(fund.id) already exists")
        }
        try work.insertFund(fund, at: at)
        try work.audit(at: at, actor: actor.id, action: "create_fund", entity: "fund", entityId: fund.id)
    }

    public static func deposit(
        _ work: some UnitOfWork, fundId: String, amount: Money, memo: String, by actor: Actor, at: Date,
        policy: Policy
    ) throws {
        _ = try amount.bounded(field: "amount", minimum: 1)
        let fund = try fund(
            work, id: fundId, actor: actor, roles: [.treasurer], tree: try work.unitTree(), for: "deposit")
        guard try work.balance(fundId: fundId).adding(amount, "balance") <= Money.maximumBalance else {
            throw BangfuError(
                .invalidInput, zh: "入账后余额将超过 \(Money.maximumBalance)：请核对金额",
                en: "the balance would pass \(Money.maximumBalance): check the amount", context: ["field": "amount"])
        }
        try post(
            work, kind: .deposit, at: at, actor: actor.id, memo: memo, caseId: nil, instalment: nil,
            postings: [
                (account: LedgerAccount.fund(fundId), fen: amount.fen),
                (account: LedgerAccount.income(fund.source), fen: -amount.fen),
            ],
            policy: policy)
    }

    /// Asks to move money between compatible funds: an approver on both funds' units; nothing moves yet.
    public static func requestTransfer(
        _ work: some UnitOfWork, from: String, to: String, amount: Money, reason: String, by actor: Actor,
        at: Date, policy: Policy
    ) throws -> PendingTransfer {
        _ = try amount.bounded(field: "amount", minimum: 1)
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw BangfuError(
                .invalidInput, zh: "资金调拨必须写明理由", en: "a transfer between funds needs a reason",
                context: ["field": "reason"])
        }
        guard from != to else {
            throw BangfuError(.invalidInput, zh: "不能调拨到同一账户", en: "cannot transfer a fund to itself")
        }
        let tree = try work.unitTree()
        // Moving earmarked money is an approval decision, not a bookkeeping one.
        let source = try fund(work, id: from, actor: actor, roles: [.approver], tree: tree, for: "transfer")
        let target = try fund(work, id: to, actor: actor, roles: [.approver], tree: tree, for: "transfer")
        guard source.mayTransfer(to: target) else {
            throw BangfuError(
                .notEarmarked,
                zh: "资金账户 \(from)（\(source.source.zh)）不能调拨到 \(to)（\(target.source.zh)）：调拨须保持资金来源，且目标账户可支付的项目须在来源账户的范围内",
                en:
                    "fund \(from) (\(source.source.rawValue)) may not transfer to \(to) (\(target.source.rawValue)): money keeps its source, and the target may pay only for help types the source may pay for"
            )
        }
        var transfer = PendingTransfer(
            id: 0, from: from, to: to, amount: amount, reason: reason, requestedBy: actor.id, requestedAt: at,
            expiresAt: at.addingTimeInterval(Double(policy.transferExpiryDays) * 86_400), state: .pending)
        transfer.id = try work.insertTransfer(transfer)
        try work.audit(
            at: at, actor: actor.id, action: "request_transfer", entity: "fund_transfer", entityId: String(transfer.id))
        return transfer
    }

    /// A different approver on both funds' units confirms (the money moves, overdraft checked) or rejects.
    public static func decideTransfer(
        _ work: some UnitOfWork, id: Int64, confirm: Bool, note: String?, by actor: Actor, at: Date,
        policy: Policy
    ) throws -> PendingTransfer {
        let what = confirm ? "confirm_transfer" : "reject_transfer"
        let record = RecordRef(.transfer, "#\(id)")
        guard var transfer = try work.transfer(id: id) else { throw record.notFound }
        let tree = try work.unitTree()
        for fundId in [transfer.from, transfer.to] {
            try actor.require(
                anyOf: [.approver], on: record, unit: try work.fund(id: fundId).unitId, in: tree, for: what)
        }
        let state = transfer.state(at: at)
        guard state == .pending else {
            throw BangfuError(
                .invalidTransition, zh: "资金调拨 #\(id) 已是“\(state.rawValue)”，不能再处理",
                en: "transfer #\(id) is already \(state.rawValue); it cannot be decided again",
                context: ["state": state.rawValue, "event": what])
        }
        guard transfer.requestedBy != actor.id else {
            throw BangfuError(
                .separationOfDuties, zh: "职责分离：提出调拨的人不能自己确认或驳回，须由另一名审批人处理",
                en: "separation of duties: whoever asked for the transfer may not decide it; another approver must")
        }
        var ledgerTransaction: Int64?
        if confirm {
            let balance = try work.balance(fundId: transfer.from)
            guard balance >= transfer.amount else {
                throw BangfuError(
                    .overdraft, zh: "资金账户 \(transfer.from) 余额 \(balance)，不足以调拨 \(transfer.amount)：拒绝透支",
                    en:
                        "fund \(transfer.from) holds \(balance), not enough to transfer \(transfer.amount): overdraft refused"
                )
            }
            ledgerTransaction = try post(
                work, kind: .transfer, at: at, actor: actor.id, memo: transfer.reason, caseId: nil, instalment: nil,
                postings: [
                    (account: LedgerAccount.fund(transfer.from), fen: -transfer.amount.fen),
                    (account: LedgerAccount.fund(transfer.to), fen: transfer.amount.fen),
                ],
                policy: policy)
        }
        transfer.state = confirm ? .confirmed : .rejected
        transfer.decidedBy = actor.id
        transfer.decidedAt = at
        transfer.note = note
        try work.decideTransfer(transfer, ledgerTransaction: ledgerTransaction)
        try work.audit(
            at: at, actor: actor.id, action: what, entity: "fund_transfer", entityId: String(id))
        return transfer
    }
}
