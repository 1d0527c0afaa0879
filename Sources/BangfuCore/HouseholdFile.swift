import Foundation

/// Everything kept about one household (一户一档) for its page: the archive, every case with its
/// form, every payment, visits, contacts, income records and reviews. Read in one transaction so
/// that its parts agree; what a caller sees of it is decided by `Visibility` in the daemon.
public struct HouseholdFile: Sendable {
    /// A payment with the number of the case it paid.
    public struct Payment: Sendable, Hashable {
        public var caseNo: String
        public var disbursement: Disbursement

        public init(caseNo: String, disbursement: Disbursement) {
            self.caseNo = caseNo
            self.disbursement = disbursement
        }
    }

    /// A contact by a paired helper (visit, phone, other).
    public struct Contact: Sendable, Hashable {
        public var at: Date
        public var helper: String
        public var kind: String
        public var note: String?

        public init(at: Date, helper: String, kind: String, note: String?) {
            self.at = at
            self.helper = helper
            self.kind = kind
            self.note = note
        }
    }

    /// A month's per-capita income as recorded.
    public struct Income: Sendable, Hashable {
        public var month: String
        public var perCapita: Money

        public init(month: String, perCapita: Money) {
            self.month = month
            self.perCapita = perCapita
        }
    }

    /// A yearly review: when and by whom.
    public struct Review: Sendable, Hashable {
        public var at: Date
        public var by: String

        public init(at: Date, by: String) {
            self.at = at
            self.by = by
        }
    }

    public var household: Household
    public var helpers: [String]
    public var cases: [HelpCase]
    public var payments: [Payment]
    public var visits: [Visit]
    public var contacts: [Contact]
    public var incomes: [Income]
    public var reviews: [Review]

    public init(
        household: Household, helpers: [String], cases: [HelpCase], payments: [Payment], visits: [Visit],
        contacts: [Contact], incomes: [Income], reviews: [Review]
    ) {
        self.household = household
        self.helpers = helpers
        self.cases = cases
        self.payments = payments
        self.visits = visits
        self.contacts = contacts
        self.incomes = incomes
        self.reviews = reviews
    }
}
