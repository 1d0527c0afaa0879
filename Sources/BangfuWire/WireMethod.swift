import BangfuVarlink

/// Every method of bangfud's interfaces: bangfud registers its handlers under these, and bangfuctl,
/// the load generator and the tests call them, so no caller types a method's name (a test checks
/// this list against the IDL bangfud serves).
public enum WireMethod: String, CaseIterable, Sendable {
    case adminStatus = "org.bangfu.Admin.Status"
    case adminPlugins = "org.bangfu.Admin.Plugins"
    case adminVerifyAudit = "org.bangfu.Admin.VerifyAudit"
    case adminBackup = "org.bangfu.Admin.Backup"
    case adminReload = "org.bangfu.Admin.Reload"
    case adminGetClock = "org.bangfu.Admin.GetClock"
    case adminAdvanceClock = "org.bangfu.Admin.AdvanceClock"
    case archiveCreate = "org.bangfu.Archive.Create"
    case archiveUpdate = "org.bangfu.Archive.Update"
    case archiveReview = "org.bangfu.Archive.Review"
    case archiveExit = "org.bangfu.Archive.Exit"
    case archiveReenter = "org.bangfu.Archive.Reenter"
    case archiveGet = "org.bangfu.Archive.Get"
    case archiveHistory = "org.bangfu.Archive.History"
    case archiveList = "org.bangfu.Archive.List"
    case campaignsDefinitions = "org.bangfu.Campaigns.Definitions"
    case campaignsList = "org.bangfu.Campaigns.List"
    case campaignsProgress = "org.bangfu.Campaigns.Progress"
    case campaignsLeftOut = "org.bangfu.Campaigns.LeftOut"
    case campaignsVisits = "org.bangfu.Campaigns.Visits"
    case campaignsRecordVisit = "org.bangfu.Campaigns.RecordVisit"
    case campaignsPassReview = "org.bangfu.Campaigns.PassReview"
    case campaignsApprove = "org.bangfu.Campaigns.Approve"
    case campaignsClose = "org.bangfu.Campaigns.Close"
    case careMustVisit = "org.bangfu.Care.MustVisit"
    case careOverdueVisits = "org.bangfu.Care.OverdueVisits"
    case careRecordVisit = "org.bangfu.Care.RecordVisit"
    case carePair = "org.bangfu.Care.Pair"
    case careUnpair = "org.bangfu.Care.Unpair"
    case careReassign = "org.bangfu.Care.Reassign"
    case careRecordContact = "org.bangfu.Care.RecordContact"
    case careOverdueContacts = "org.bangfu.Care.OverdueContacts"
    case careRecordIncome = "org.bangfu.Care.RecordIncome"
    case careReviewsDue = "org.bangfu.Care.ReviewsDue"
    case careRecordReception = "org.bangfu.Care.RecordReception"
    case careReceptionSummary = "org.bangfu.Care.ReceptionSummary"
    case casesFile = "org.bangfu.Cases.File"
    case casesGet = "org.bangfu.Cases.Get"
    case casesList = "org.bangfu.Cases.List"
    case casesLoans = "org.bangfu.Cases.Loans"
    case casesAssess = "org.bangfu.Cases.Assess"
    case casesSubmit = "org.bangfu.Cases.Submit"
    case casesReturnForInfo = "org.bangfu.Cases.ReturnForInfo"
    case casesResubmit = "org.bangfu.Cases.Resubmit"
    case casesPassReview = "org.bangfu.Cases.PassReview"
    case casesReject = "org.bangfu.Cases.Reject"
    case casesApprove = "org.bangfu.Cases.Approve"
    case casesObject = "org.bangfu.Cases.Object"
    case casesDismissObjection = "org.bangfu.Cases.DismissObjection"
    case casesUpholdObjection = "org.bangfu.Cases.UpholdObjection"
    case casesPay = "org.bangfu.Cases.Pay"
    case casesReceiveRepayment = "org.bangfu.Cases.ReceiveRepayment"
    case casesClose = "org.bangfu.Cases.Close"
    case casesWithdraw = "org.bangfu.Cases.Withdraw"
    case fundsCreate = "org.bangfu.Funds.Create"
    case fundsDeposit = "org.bangfu.Funds.Deposit"
    case fundsTransfer = "org.bangfu.Funds.Transfer"
    case fundsConfirmTransfer = "org.bangfu.Funds.ConfirmTransfer"
    case fundsRejectTransfer = "org.bangfu.Funds.RejectTransfer"
    case fundsPending = "org.bangfu.Funds.Pending"
    case fundsList = "org.bangfu.Funds.List"
    case fundsLedger = "org.bangfu.Funds.Ledger"
    case fundsStatement = "org.bangfu.Funds.Statement"
    case noticeList = "org.bangfu.Notice.List"

    /// The interface, e.g. `org.bangfu.Cases`.
    public var interface: String { String(rawValue[..<rawValue.lastIndex(of: ".")!]) }
    /// The method's name within its interface, e.g. `Get`.
    public var name: String { String(rawValue[rawValue.index(after: rawValue.lastIndex(of: ".")!)...]) }
}

extension VarlinkClient {
    /// Calls one of bangfud's methods; every reply (several with `more`). An error reply throws `VarlinkError`.
    public func call(_ method: WireMethod, _ parameters: [String: JSONValue] = [:], more: Bool = false) throws
        -> [[String: JSONValue]]
    {
        try call(method.rawValue, parameters, more: more)
    }
}
