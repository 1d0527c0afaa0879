import BangfuCore
import Foundation

/// One write transaction as the rules see it: narrow, typed reads and writes, and nothing else.
///
/// A store implements it (SQL lives only there); the domain decides everything (who may, in which
/// unit, separation of duties, host rules, earmarks, overdraft, bounds, what the audit row says),
/// so a second store implements this protocol and inherits every rule instead of copying them.
/// Every method runs inside the caller's transaction and throws typed `BangfuError`s.
public protocol UnitOfWork {
    /// The organisation units as of this transaction.
    func unitTree() throws -> UnitTree
    /// Every stored unit by id, without building a tree (there may be none yet).
    func storedUnits() throws -> [String: OrgUnit]
    /// Adds the unit or changes its name, parent and level.
    func saveUnit(_ unit: OrgUnit) throws

    // MARK: Archives and cases

    func household(id: Int64) throws -> Household
    func helpCase(id: Int64) throws -> HelpCase
    /// The case numbered `caseNo`, nil when there is none.
    func helpCase(caseNo: String) throws -> HelpCase?
    /// The household's cases, oldest first, as host rules see them.
    func caseSummaries(householdId: Int64, zone: BusinessZone) throws -> [CaseSummary]
    /// The next number of a named yearly sequence (`case:2027`), counted up in this transaction.
    func nextNumber(_ sequence: String) throws -> Int
    /// Inserts a new draft case (its `id` is ignored) and returns the case with the id it got.
    func insertCase(_ draft: HelpCase, at: Date) throws -> HelpCase
    /// Keeps a case's form versions: the first call for a case records the form as filed (version
    /// 1, from the stored case) before `next`; every call adds `next` as the following version.
    func keepFormVersion(caseId: Int64, next formJSON: String, at: Date, actor: String, note: String) throws
    /// A case's kept form versions, oldest first.
    func formVersions(caseId: Int64) throws -> [FormVersion]
    /// Saves a case whose `version` is one above the stored one; anything else is a concurrent change.
    func saveCase(_ helpCase: HelpCase, at: Date) throws
    func appendCaseEvent(
        caseId: Int64, at: Date, actor: String, event: CaseEventKind, from: CaseState, to: CaseState,
        comment: String?) throws

    /// The open archive, other than `except`, that already holds this person, if any.
    func openArchiveHolding(_ idNumber: IDNumber, except: Int64?) throws -> (archiveNo: String, unitId: String)?
    /// Inserts a new archive (its `id` is ignored) and returns the id it got.
    func insertHousehold(_ household: Household) throws -> Int64
    func updateHousehold(_ household: Household) throws
    /// Who belongs to the household, and whether they count as in an open archive.
    func replacePersons(householdId: Int64, idNumbers: [IDNumber], open: Bool) throws
    /// Writes the changes; their personal values (`ArchiveInput.isPersonal`) go to the erasable store.
    func appendArchiveHistory(householdId: Int64, _ changes: [ArchiveChange]) throws
    /// Erases the household's stored personal values (their salted hashes stay); returns how many.
    func erasePersonalValues(householdId: Int64, at: Date) throws -> Int
    /// Cases of the household not closed, rejected or withdrawn.
    func unfinishedCases(householdId: Int64) throws -> Int

    // MARK: Money

    func fund(id: String) throws -> FundAccount
    func fundExists(id: String) throws -> Bool
    func insertFund(_ fund: FundAccount, at: Date) throws
    /// The fund's kept balance.
    func balance(fundId: String) throws -> Money
    /// Writes one ledger transaction with its postings (they must sum to zero); returns its id.
    func postLedger(
        kind: LedgerKind, at: Date, businessDate: LocalDate, actor: String, memo: String?, caseId: Int64?,
        instalment: Int?, postings: [(account: String, fen: Int64)]
    ) throws -> Int64
    func disbursement(caseId: Int64, instalment: Int) throws -> Disbursement?
    /// The fund the case's first instalment was paid from (for a loan: the fund that lent).
    func firstPaymentFund(caseId: Int64) throws -> String?
    func insertDisbursement(_ disbursement: Disbursement, ledgerTransaction: Int64) throws
    func insertTransfer(_ transfer: PendingTransfer) throws -> Int64
    func transfer(id: Int64) throws -> PendingTransfer?
    /// Records the decision on a pending transfer (and the ledger transaction when it was confirmed).
    func decideTransfer(_ transfer: PendingTransfer, ledgerTransaction: Int64?) throws

    // MARK: Care and campaigns

    func household(archiveNo: String) throws -> Household
    /// The case's id and unit, by its number.
    func caseRef(caseNo: String) throws -> (id: Int64, unitId: String)?
    /// The helper currently paired with the household first, if any.
    func pairedHelper(householdId: Int64) throws -> String?
    func isPaired(householdId: Int64, helper: String) throws -> Bool
    func startPairing(householdId: Int64, helper: String, at: Date) throws
    /// Ends the pairing; how many were ended (0 when there was none).
    func endPairing(householdId: Int64, helper: String, at: Date) throws -> Int
    /// Households of `units` currently paired with `helper`.
    func householdsPaired(with helper: String, units: [String]) throws -> [Int64]
    /// Planned visits of the household move from one visitor to another.
    func moveVisits(householdId: Int64, from: String, to: String) throws
    func insertContact(householdId: Int64, helper: String, kind: String, at: Date, note: String?) throws
    func recordIncome(householdId: Int64, month: String, perCapita: Money, at: Date) throws
    func insertReception(
        _ reception: Reception, householdId: Int64?, caseId: Int64?, by: String, at: Date, businessDate: LocalDate
    )
        throws -> Int64
    /// Inserts a planned visit and returns it as stored.
    func insertVisit(
        householdId: Int64, unitId: String, runId: Int64?, visitor: String?, dueOn: LocalDate, mustVisitEvent: String?,
        note: String?
    ) throws -> Visit
    func visit(id: Int64) throws -> Visit?
    func markVisited(id: Int64, by: String, at: Date, note: String) throws -> Visit
    func campaignRun(id: Int64) throws -> CampaignRun?
    /// The run of a campaign for a holiday, inserted when missing; whether it was inserted.
    func campaignRun(campaignId: String, holiday: LocalDate, budget: Money, targeted: Int, at: Date) throws
        -> (run: CampaignRun, inserted: Bool)
    func setCampaignRun(id: Int64, state: CampaignRun.State, committed: Money) throws
    func isCampaignMember(runId: Int64, householdId: Int64) throws -> Bool
    func insertCampaignMember(
        runId: Int64, householdId: Int64, outcome: CampaignOutcome, caseId: Int64?, amount: Money, reason: String?)
        throws
    /// Cases of the run in `units` that are in `state`, with the amount planned for each, in id order.
    func campaignCases(runId: Int64, units: [String], state: CaseState) throws -> [(caseId: Int64, amount: Money)]
    func cancelPlannedVisits(runId: Int64) throws

    // MARK: Audit

    /// Appends one row to the audit chain. It commits to the rows this transaction added or changed
    /// in the fact tables (their hashes are kept with it), so that they can be checked later.
    func audit(at: Date, actor: String, action: String, entity: String, entityId: String) throws
    /// Runs `body` so that, when it throws, everything it wrote is undone and the rest of the
    /// transaction stands (a savepoint).
    func undoingOnError<T>(_ body: () throws -> T) throws -> T
}
