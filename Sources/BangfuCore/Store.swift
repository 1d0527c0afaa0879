import Foundation

/// What bangfu keeps, behind a protocol so that a PostgreSQL store can implement it later.
///
/// Every mutating call is one transaction: it checks the actor's roles on the unit tree, applies
/// the pure domain rules, writes the change, its history and one audit-chain row, or nothing at all.
public protocol BangfuStore: Sendable {
    // MARK: Organisation units
    /// Adds or renames units from configuration; units are never deleted (archives point at them).
    func syncUnits(_ units: [OrgUnit], at: Date) async throws
    func unitTree() async throws -> UnitTree

    // MARK: Household archives
    func createArchive(_ input: ArchiveInput, by: Actor, at: Date) async throws -> Household
    func updateArchive(id: Int64, _ input: ArchiveInput, by: Actor, at: Date) async throws -> Household
    /// Records the yearly review and sets the next due date.
    func reviewArchive(id: Int64, by: Actor, at: Date) async throws -> Household
    /// Closes an archive (脱困 or otherwise); it is kept, never deleted.
    func exitArchive(id: Int64, reason: ExitReason, note: String, by: Actor, at: Date) async throws -> Household
    /// Reopens a closed archive (返困) with the household's current facts.
    func reenterArchive(id: Int64, _ input: ArchiveInput, by: Actor, at: Date) async throws -> Household
    func household(id: Int64) async throws -> Household
    func household(archiveNo: String) async throws -> Household
    /// The id of the archive numbered `archiveNo` (not found as `household(archiveNo:)` is): what a
    /// change by number needs before its write, without reading the archive's facts.
    func householdId(archiveNo: String) async throws -> Int64
    func archiveHistory(id: Int64) async throws -> [ArchiveChange]
    /// Archives each household of an import in one transaction, each alone through the archive
    /// rules; with `dryRun` each is checked and undone. A head already in an open archive the
    /// caller may read is left unchanged.
    func importArchives(_ inputs: [ArchiveInput], by: Actor, at: Date, dryRun: Bool) async throws
        -> [ArchiveImport.Outcome]
    /// Everything kept about one household (一户一档), read at one point in time.
    func householdFile(archiveNo: String) async throws -> HouseholdFile
    /// Archives in `units` with a person whose name begins with `namePrefix` or whose ID number is
    /// `idNumber`, by archive number, at most `limit` (1 to 1,000).
    func searchHouseholds(units: [String], namePrefix: String?, idNumber: String?, limit: Int) async throws
        -> [Household]

    // MARK: Cases
    /// Files a draft case for an open archive; host rules (same cause, temporary aid) are checked here.
    func fileCase(householdId: Int64, application: CaseApplication, by: Actor, at: Date) async throws -> HelpCase
    /// The household's cases, oldest first, as host rules and help types see them.
    func caseSummaries(householdId: Int64) async throws -> [CaseSummary]
    /// The same for many households in one query (campaign batches).
    func caseSummaries(householdIds: [Int64]) async throws -> [Int64: [CaseSummary]]
    /// Applies one event; pays or credits money in the same transaction.
    func apply(_ event: CaseEvent, toCase id: Int64, by: Actor, at: Date) async throws -> CaseOutcome
    /// The same for a case named by its number, found inside the write (no read before it).
    func apply(_ event: CaseEvent, toCaseNo caseNo: String, by: Actor, at: Date) async throws -> CaseOutcome
    func helpCase(id: Int64) async throws -> HelpCase
    func helpCase(caseNo: String) async throws -> HelpCase
    func caseEvents(id: Int64) async throws -> [CaseEventRecord]
    /// How concurrent writes were grouped into transactions (group commit) since the store opened.
    var writeStats: WriteStats { get }
    /// The durability settings the store's writer really runs with (e.g. `wal`, `FULL`), read back
    /// from the database, for status and benchmarks.
    func durability() async throws -> (journalMode: String, synchronous: String)
    /// A case with its archive number, history and payments, read at one moment (one read, not four).
    func caseDetail(caseNo: String) async throws -> CaseDetail
    /// Archive numbers of many households in one query (case listings and replies).
    func archiveNumbers(householdIds: [Int64]) async throws -> [Int64: String]
    /// Cases whose notice deadline is at or before `at`, earliest first.
    func casesWithNoticeDue(at: Date) async throws -> [Int64]
    /// The earliest armed notice deadline, for the timer.
    func nextNoticeDeadline() async throws -> Date?

    // MARK: Funds
    func createFund(_ fund: FundAccount, by: Actor, at: Date) async throws
    func deposit(fundId: String, amount: Money, memo: String, by: Actor, at: Date) async throws
    /// Asks to move money between compatible funds (an approver on both funds' units); nothing moves yet.
    func requestTransfer(from: String, to: String, amount: Money, reason: String, by: Actor, at: Date) async throws
        -> PendingTransfer
    /// A different approver on both units confirms (the money moves, overdraft checked) or rejects a pending transfer.
    func decideTransfer(id: Int64, confirm: Bool, note: String?, by: Actor, at: Date) async throws -> PendingTransfer
    /// Transfers from or to any of these funds, oldest first.
    func transfers(fundIds: [String]) async throws -> [PendingTransfer]
    func fund(id: String) async throws -> FundAccount
    func funds() async throws -> [FundAccount]
    /// The balance, derived from the ledger.
    func balance(fundId: String) async throws -> Money
    func disbursements(caseId: Int64) async throws -> [Disbursement]
    /// Income and expenditure per fund for business dates in [from, to] (帐务公开).
    func statement(from: LocalDate, to: LocalDate) async throws -> [FundStatement]

    /// Payments (aid and loans) made on business dates in [from, to] in the units, in the order paid;
    /// at most `limit` (the caller asks for one more to tell that there are more).
    func payments(units: [String], from: LocalDate, to: LocalDate, limit: Int) async throws -> [PaidLine]

    /// How many cases each state has in the units (my work's counts).
    func caseCounts(units: [String]) async throws -> [CaseState: Int]

    /// Report figures per unit over the window, each rolled up over its subtree.
    func unitFigures(_ window: ReportWindow) async throws -> [String: UnitFigures]

    /// Each fund's ledger lines for business dates in [from, to], oldest first.
    func ledger(fundId: String, from: LocalDate, to: LocalDate) async throws -> [LedgerLine]
    /// One page of a fund's ledger (at most `page.limit + 1` lines after its cursor), or all without a page.
    func ledger(fundId: String, from: LocalDate, to: LocalDate, page: Page?) async throws -> [LedgerLine]

    // MARK: Listings
    func households(units: [String], status: ArchiveStatus?) async throws -> [Household]
    /// One page of `households(units:status:)`: at most `page.limit + 1` after its cursor (see `Page.cut`).
    func households(units: [String], status: ArchiveStatus?, page: Page) async throws -> [Household]
    /// One page of cases (at most `page.limit + 1` after its cursor), or all of them without a page.
    func cases(units: [String], state: CaseState?, page: Page?) async throws -> [HelpCase]
    /// One page of the cases in `units` in any of `states` (at most `page.limit + 1`, id order).
    func cases(units: [String], states: [CaseState], page: Page) async throws -> [HelpCase]
    /// Visits the households of `units` in id order, a page at a time, so a million archives are
    /// never all in memory at once (campaign planning).
    func scanHouseholds(units: [String], status: ArchiveStatus?, _ body: @Sendable (Household) throws -> Void)
        async throws
    /// Households by id, in the order asked (missing ids left out).
    func households(ids: [Int64]) async throws -> [Household]
    func cases(units: [String], state: CaseState?) async throws -> [HelpCase]
    /// Every case of one help type, whatever its unit (the scheduler's yearly refiling).
    func cases(helpType: String) async throws -> [HelpCase]

    // MARK: Campaigns
    /// The run of a campaign for a holiday, created (once) when missing.
    func startCampaignRun(campaignId: String, holiday: LocalDate, budget: Money, targeted: Int, at: Date) async throws
        -> CampaignRun
    func campaignRuns() async throws -> [CampaignRun]
    /// Households already decided in a run (planning resumes after them).
    func campaignDecided(runId: Int64) async throws -> Set<Int64>
    /// Records one batch in one transaction: system-filed, submitted cases and visits for the planned,
    /// a line for the others; the budget is checked against what the run committed.
    func recordCampaignBatch(
        runId: Int64, entries: [CampaignEntry], helpType: String, formJSON: String, visitDue: LocalDate,
        at: Date
    ) async throws -> CampaignRun
    func finishCampaignRun(runId: Int64, at: Date) async throws
    /// The campaign a case was planned by, if any.
    func campaignOf(caseId: Int64) async throws -> String?
    func closeCampaignRun(runId: Int64, by: Actor, at: Date) async throws
    /// A planned run back to planning, so households archived since can join (approver or admin on
    /// a top unit); a run still planning is answered as it is, a closed one refused.
    func reopenCampaignRun(runId: Int64, by: Actor, at: Date) async throws -> CampaignRun
    /// When the store recorded its first audited act: the day bangfu started keeping these records,
    /// before which no campaign occurrence counts as missed.
    func firstActivity() async throws -> Date?
    /// A run's counts over the households of `units`, or of every unit when nil.
    func campaignProgress(runId: Int64, units: [String]?) async throws -> CampaignProgress
    /// One page of a run's households with `outcome` in `units`, deepest hardship first (the key of
    /// `CampaignTarget.priority`: category rank, per-capita income, id), with the amount and reason.
    func campaignMembers(runId: Int64, outcome: CampaignOutcome, units: [String], page: Page) async throws
        -> [(Household, Money, String)]
    /// Applies one event to every case of a run in `unit`'s subtree that is in `state`, in one
    /// transaction; a case the event is refused for is left as it was and reported.
    func applyToRun(
        runId: Int64, unit: String, from state: CaseState, roles: Set<Role>,
        event: @escaping @Sendable (HelpCase, Money) -> CaseEvent, by: Actor, at: Date, dryRun: Bool
    ) async throws -> CampaignBatchResult
    /// One page of a run's visits in `units`, earliest due first (key: due day as yyyymmdd, id).
    func visits(runId: Int64, units: [String], page: Page) async throws -> [Visit]
    func recordVisit(id: Int64, note: String, by: Actor, at: Date) async throws -> Visit

    // MARK: Care: must-visits, pairing, reviews, receptions
    /// Records a must-visit event: a visit due in the event's days, to the paired helper when there is one.
    func recordMustVisit(archiveNo: String, event: MustVisitEvent, note: String?, by: Actor, at: Date) async throws
        -> Visit
    /// One page of planned visits whose due date has passed, earliest due first (key: due day, id).
    func overdueVisits(units: [String], on: LocalDate, page: Page) async throws -> [Visit]
    /// `helper` with the grants the configuration gives them: they must be a helper of the household's unit.
    func pair(archiveNo: String, helper: Actor, by: Actor, at: Date) async throws
    func unpair(archiveNo: String, helper: String, by: Actor, at: Date) async throws
    /// When a helper leaves: every household paired with `from` (in `unit`'s subtree) moves to `to`.
    func reassign(from: String, to: Actor, unit: String, by: Actor, at: Date) async throws -> Int
    func recordContact(archiveNo: String, kind: String, note: String?, by: Actor, at: Date) async throws
    /// One page of paired households with no contact within `days` (a quarter: 92), longest without
    /// contact first (key: `dueSince` in milliseconds, household id).
    func contactsDue(units: [String], days: Int, at: Date, page: Page) async throws -> [ContactDue]
    func helpers(archiveNo: String) async throws -> [String]
    func recordIncome(archiveNo: String, month: String, perCapita: Money, by: Actor, at: Date) async throws
    /// One page of open archives whose review falls within `days` or whose income suggests exit,
    /// earliest review first (key: review day as yyyymmdd, household id).
    func reviewsDue(units: [String], on: LocalDate, within days: Int, page: Page) async throws -> [ReviewDue]
    func recordReception(_ r: Reception, by: Actor, at: Date) async throws -> Int64
    func receptionSummary(units: [String], from: LocalDate, to: LocalDate) async throws -> ReceptionSummary

    /// The same store, its writes made under a client's request id: the id and the answer are stored
    /// with the write, and a retry with the same id gets the first answer without acting twice.
    func scoped(to request: RequestKey?) -> any BangfuStore

    // MARK: Running
    /// A no-op write transaction: proves the writer is not stuck (for the watchdog).
    func ping() async throws
    /// Replaces the rules (after a configuration reload).
    func update(policy: Policy)
    /// The retention job: erases the personal data of every archive closed longer than
    /// `retention_years` (see `ArchiveDomain.erase`); returns the archives erased.
    func eraseExpiredArchives(at: Date) async throws -> [Household]
    /// Drops the stored replies of requests made before `before` (the request, its caller and
    /// its parameters' hash stay, so a retry is refused, never done twice); returns how many.
    func expireReplies(before: Date, at: Date) async throws -> Int

    /// Copies the database to `path` with SQLite's online backup (a consistent snapshot, while
    /// writes go on), verifies the copy, and gives it the name `path`: created 0600, never over an
    /// existing file. The backup is audited (who, where, the head it holds).
    func backup(to path: String, by: Actor, at: Date) async throws -> VerificationReport

    // MARK: Audit
    /// Walks the hash chain and the ledger invariants; reports the first broken link. Given an
    /// `anchor` (a head kept outside the file), also proves the chain still holds it: a truncated
    /// or recomputed chain is found.
    func verify(anchors: [AuditHead]) async throws -> VerificationReport
    /// The chain's last entry, nil while it is empty.
    func auditHead() async throws -> AuditHead?
    /// One element after each commit (the newest only is kept): what the head follower waits on.
    var commits: AsyncStream<Void> { get }
}

extension BangfuStore {
    public func verify() async throws -> VerificationReport { try await verify(anchors: []) }
    public func verify(anchor: AuditHead?) async throws -> VerificationReport {
        try await verify(anchors: anchor.map { [$0] } ?? [])
    }
}

/// The head of the audit chain: the last entry's sequence number and hash. Kept outside the
/// database (the journal, a signed checkpoint, a printed notice), it pins everything before it.
public struct AuditHead: Sendable, Codable, Hashable, CustomStringConvertible {
    public var seq: Int64
    public var hash: String

    public init(seq: Int64, hash: String) {
        self.seq = seq
        self.hash = hash
    }

    /// The journal's `MESSAGE_ID` of the lines bangfud writes heads in (`journalctl MESSAGE_ID=...`).
    public static let journalMessageID = "8b3f6d2a9c1e4f7b8a5d0c3e6f9b2a41"

    /// `SEQ:HASH`, as `bangfuctl verify --anchor` takes it.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[0]), seq > 0, parts[1].count == 64,
            parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        self.init(seq: seq, hash: String(parts[1]))
    }

    public var description: String { "\(seq):\(hash)" }
}

extension BangfuStore {
    /// Files a case with an empty form: for help types entered by hand.
    public func fileCase(householdId: Int64, helpType: String, by: Actor, at: Date) async throws -> HelpCase {
        try await fileCase(householdId: householdId, application: CaseApplication(helpType: helpType), by: by, at: at)
    }
}

/// The result of applying a case event.
public struct CaseOutcome: Sendable, Codable {
    public var helpCase: HelpCase
    /// The payment made (or found already made) by a `pay_instalment`.
    public var disbursement: Disbursement?
    /// The household's archive number, read in the same transaction: the reply shows it, and a
    /// read after the write to fetch it cost more than the write's own statements.
    public var archiveNo: String?
    /// The unit tree the transition was authorized against, for the reply's visibility. Not kept
    /// with a request's answer (a retry reads the tree afresh).
    public var unitTree: UnitTree?

    public init(helpCase: HelpCase, disbursement: Disbursement?, unitTree: UnitTree? = nil) {
        self.helpCase = helpCase
        self.disbursement = disbursement
        self.unitTree = unitTree
    }

    enum CodingKeys: String, CodingKey { case helpCase, disbursement, archiveNo }
}

/// One recorded transition of a case: who, when, from which state to which, and their comment.
public struct CaseEventRecord: Sendable, Codable, Hashable {
    public var at: Date
    public var actor: String
    public var event: CaseEventKind
    public var from: CaseState
    public var to: CaseState
    public var comment: String?

    public init(at: Date, actor: String, event: CaseEventKind, from: CaseState, to: CaseState, comment: String?) {
        self.at = at
        self.actor = actor
        self.event = event
        self.from = from
        self.to = to
        self.comment = comment
    }
}

/// One posting of a fund's ledger.
public struct LedgerLine: Sendable, Codable, Hashable {
    public var txn: Int64
    public var at: Date
    public var businessDate: LocalDate
    public var kind: LedgerKind
    public var amount: Money
    public var actor: String
    public var memo: String?
    public var caseNo: String?

    public init(
        txn: Int64, at: Date, businessDate: LocalDate, kind: LedgerKind, amount: Money, actor: String, memo: String?,
        caseNo: String?
    ) {
        self.txn = txn
        self.at = at
        self.businessDate = businessDate
        self.kind = kind
        self.amount = amount
        self.actor = actor
        self.memo = memo
        self.caseNo = caseNo
    }
}

/// What `verify` found.
public struct VerificationReport: Sendable, Codable, Hashable {
    public var auditRows: Int
    public var ledgerTransactions: Int
    /// The sequence number of the first audit row whose link is broken, if any.
    public var firstBrokenAuditRow: Int64?
    /// Everything wrong, in words; empty when the store is sound.
    public var problems: [String]

    public var ok: Bool { problems.isEmpty }

    /// The last audit entry walked: the head this report (or a backup) was made from.
    public var head: AuditHead?
    /// The anchors it was given that the chain no longer holds (cut short or rewritten), oldest first.
    public var anchorsLost: [AuditHead]

    public init(
        auditRows: Int, ledgerTransactions: Int, firstBrokenAuditRow: Int64?, problems: [String],
        head: AuditHead? = nil, anchorsLost: [AuditHead] = []
    ) {
        self.auditRows = auditRows
        self.ledgerTransactions = ledgerTransactions
        self.firstBrokenAuditRow = firstBrokenAuditRow
        self.problems = problems
        self.head = head
        self.anchorsLost = anchorsLost
    }
}

/// Everything a case read shows, from one read transaction.
public struct CaseDetail: Sendable {
    /// The case as stored.
    public var helpCase: HelpCase
    /// Its household's archive number (replies show it instead of the internal id).
    public var archiveNo: String
    /// Its history, oldest first.
    public var events: [CaseEventRecord]
    /// Its payments, by instalment.
    public var disbursements: [Disbursement]
    /// The unit tree of the same moment, so the caller's access is checked without another read.
    public var unitTree: UnitTree
    /// The form's kept versions (empty until it is amended).
    public var formVersions: [FormVersion] = []

    public init(
        helpCase: HelpCase, archiveNo: String, events: [CaseEventRecord], disbursements: [Disbursement],
        unitTree: UnitTree
    ) {
        self.unitTree = unitTree
        self.helpCase = helpCase
        self.archiveNo = archiveNo
        self.events = events
        self.disbursements = disbursements
    }
}

/// How writes were grouped: what the benchmark prints and the tests check.
public struct WriteStats: Sendable, Codable, Equatable {
    public init() {}

    /// Shared transactions begun (a group run again job by job counts once).
    public var transactions = 0
    /// Writes submitted.
    public var writes = 0
    /// The most writes in one transaction.
    public var largestGroup = 0
    /// Groups whose transaction was lost and whose writes were run again one by one.
    public var groupsRerun = 0
}
