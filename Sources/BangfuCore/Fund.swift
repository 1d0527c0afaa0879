import Foundation

/// Where a fund's money comes from.
public enum FundSource: String, Sendable, Codable, CaseIterable {
    case fiscal
    case unionFunds = "union_funds"
    case partyDues = "party_dues"
    case donation
    case namedDonor = "named_donor"

    public var zh: String {
        switch self {
        case .fiscal: return "财政拨款"
        case .unionFunds: return "工会经费"
        case .partyDues: return "党费"
        case .donation: return "社会捐赠"
        case .namedDonor: return "定向捐赠"
        }
    }
}

/// An earmarked fund account (专款专用): it pays only for the help types it lists.
public struct FundAccount: Sendable, Codable, Hashable {
    public var id: String
    public var name: String
    public var unitId: String
    public var source: FundSource
    /// The named donor, for `named_donor` funds.
    public var donor: String?
    /// Help-type ids this fund may pay for.
    public var helpTypes: [String]

    public init(id: String, name: String, unitId: String, source: FundSource, donor: String? = nil, helpTypes: [String])
    {
        self.id = id
        self.name = name
        self.unitId = unitId
        self.source = source
        self.donor = donor
        self.helpTypes = helpTypes
    }

    public func validate() throws {
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw BangfuError(
                .invalidInput, zh: "资金账户代码“\(id)”无效：只能用字母、数字、- _ .",
                en: "fund id \"\(id)\" is invalid: use letters, digits, - _ .")
        }
        guard !name.isEmpty else { throw BangfuError(.invalidInput, zh: "资金账户名称不能为空", en: "the fund needs a name") }
        guard !helpTypes.isEmpty else {
            throw BangfuError(
                .invalidInput, zh: "资金账户必须列出可支付的帮扶项目（专款专用）",
                en: "a fund must list the help types it may pay for (earmarking)")
        }
        if source == .namedDonor && (donor ?? "").isEmpty {
            throw BangfuError(.invalidInput, zh: "定向捐赠资金必须写明捐赠人", en: "a named-donor fund needs the donor's name")
        }
    }

    /// Whether money may move from this fund into `target`: it keeps its source (and, for a named
    /// donor, its donor), and the target may pay only for help types this fund may pay for. So a
    /// transfer can only narrow what the money may be spent on, never widen it.
    public func mayTransfer(to target: FundAccount) -> Bool {
        source == target.source && (source != .namedDonor || donor == target.donor)
            && Set(target.helpTypes).isSubset(of: Set(helpTypes))
    }

    /// Refuses a help type the fund is not earmarked for.
    public func requireEarmarked(for helpType: String) throws {
        guard helpTypes.contains(helpType) else {
            throw BangfuError(
                .notEarmarked,
                zh: "资金账户 \(id) 专款专用，不能支付帮扶项目 \(helpType)（可支付：\(helpTypes.joined(separator: ", "))）",
                en:
                    "fund \(id) is earmarked and may not pay for \(helpType) (allowed: \(helpTypes.joined(separator: ", ")))"
            )
        }
    }
}

/// Kinds of ledger transaction.
public enum LedgerKind: String, Sendable, Codable, CaseIterable {
    /// Money received into a fund (allocation, dues, donation).
    case deposit
    /// A payment to a household.
    case disbursement
    /// A loan paid out (a receivable, not an expense).
    case loanOut = "loan_out"
    /// A loan repayment received.
    case repayment
    /// Between two funds, with a reason.
    case transfer
}

/// Ledger account names used in the double-entry postings.
public enum LedgerAccount {
    public static func fund(_ id: String) -> String { "fund:\(id)" }
    public static func income(_ source: FundSource) -> String { "income:\(source.rawValue)" }
    public static let aidExpense = "expense:aid"
    public static let loansReceivable = "receivable:loans"
}

/// Income and expenditure of one fund over a period (帐务公开).
public struct FundStatement: Sendable, Codable, Hashable {
    public var fundId: String
    public var fundName: String
    public var source: FundSource
    public var opening: Money
    public var deposits: Money
    public var transfersIn: Money
    public var repayments: Money
    public var disbursements: Money
    public var loansOut: Money
    public var transfersOut: Money
    public var closing: Money
    /// Paid out per help type in the period.
    public var byHelpType: [String: Money]
    /// Households paid in the period.
    public var recipients: Int

    public init(
        fundId: String, fundName: String, source: FundSource, opening: Money, deposits: Money, transfersIn: Money,
        repayments: Money, disbursements: Money, loansOut: Money, transfersOut: Money, closing: Money,
        byHelpType: [String: Money], recipients: Int
    ) {
        self.fundId = fundId
        self.fundName = fundName
        self.source = source
        self.opening = opening
        self.deposits = deposits
        self.transfersIn = transfersIn
        self.repayments = repayments
        self.disbursements = disbursements
        self.loansOut = loansOut
        self.transfersOut = transfersOut
        self.closing = closing
        self.byHelpType = byHelpType
        self.recipients = recipients
    }
}

/// One payment out of a fund for a case instalment.
public struct Disbursement: Sendable, Codable, Hashable {
    public var caseId: Int64
    public var instalment: Int
    public var fundId: String
    public var amount: Money
    public var paidAt: Date
    public var paidBy: String
    /// True when this call found the instalment already paid and paid nothing.
    public var alreadyPaid: Bool

    public init(
        caseId: Int64, instalment: Int, fundId: String, amount: Money, paidAt: Date, paidBy: String, alreadyPaid: Bool
    ) {
        self.caseId = caseId
        self.instalment = instalment
        self.fundId = fundId
        self.amount = amount
        self.paidAt = paidAt
        self.paidBy = paidBy
        self.alreadyPaid = alreadyPaid
    }
}

/// Where a transfer between funds stands: requested by one approver, decided by another.
public enum TransferState: String, Sendable, Codable, CaseIterable {
    case pending, confirmed, rejected, expired
}

/// A transfer between funds that needs two people: one approver asks, a different one confirms
/// (only then does money move) or rejects; unanswered, it expires.
public struct PendingTransfer: Sendable, Codable, Hashable {
    public var id: Int64
    public var from: String
    public var to: String
    public var amount: Money
    public var reason: String
    public var requestedBy: String
    public var requestedAt: Date
    public var expiresAt: Date
    public var state: TransferState
    public var decidedBy: String?
    public var decidedAt: Date?
    public var note: String?

    public init(
        id: Int64, from: String, to: String, amount: Money, reason: String, requestedBy: String, requestedAt: Date,
        expiresAt: Date, state: TransferState, decidedBy: String? = nil, decidedAt: Date? = nil, note: String? = nil
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.amount = amount
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.expiresAt = expiresAt
        self.state = state
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.note = note
    }

    /// The state as of `now`: a pending transfer past its expiry reads as expired.
    public func state(at now: Date) -> TransferState { state == .pending && now >= expiresAt ? .expired : state }
}

/// A payment as the signature sheet (发放签领表) lists it: whose case, which help, how much.
public struct PaidLine: Sendable, Hashable {
    public var caseNo: String
    public var householdId: Int64
    public var unitId: String
    public var helpType: String
    public var disbursement: Disbursement

    public init(caseNo: String, householdId: Int64, unitId: String, helpType: String, disbursement: Disbursement) {
        self.caseNo = caseNo
        self.householdId = householdId
        self.unitId = unitId
        self.helpType = helpType
        self.disbursement = disbursement
    }
}
