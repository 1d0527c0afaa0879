import BangfuCore

/// How much of a household's or a case's personal data a caller sees. Decided here, once, for every
/// reply that carries such data (archives, cases, their forms, comments and history); the wire
/// applies it field by field.
public enum Visibility: Sendable, Hashable {
    /// Caseworker, reviewer, approver, admin of the unit: everything.
    case full
    /// Treasurer: the head's name, masked ID number and bank account for real-name payment; no
    /// members, contact, health or free text.
    case payment
    /// Auditor: masked names and ID numbers, amounts and choices; no contact, bank, health or free text.
    case masked
    /// A helper paired with the household: how to reach it (the head's name, phone, address), the
    /// members' masked names; no ID numbers, income, health, bank, cases or payments.
    case contact

    /// What the actor sees of a record of `unit`; nil when it may not read it at all (it is then
    /// answered as not found).
    public static func of(_ actor: Actor, unit: String, in tree: UnitTree) -> Visibility? {
        if actor.holds(anyOf: fullRoles, on: unit, in: tree) { return .full }
        if actor.holds(anyOf: paymentRoles, on: unit, in: tree) { return .payment }
        if actor.holds(anyOf: maskedRoles, on: unit, in: tree) { return .masked }
        return nil
    }

    private static let fullRoles: Set<Role> = [.caseworker, .reviewer, .approver, .admin, .system]
    private static let paymentRoles: Set<Role> = [.treasurer]
    private static let maskedRoles: Set<Role> = [.auditor]

    /// A case whose read check the caller passed: anything short of full hides its free text.
    public static func ofCase(_ actor: Actor, unit: String, in tree: UnitTree) -> Visibility {
        of(actor, unit: unit, in: tree) ?? .masked
    }

    /// Forms' text, reasons and comments.
    public var showsFreeText: Bool { self == .full }

    /// An archive's change history: the auditor sees which field changed when, not the values;
    /// the treasurer and helpers do not read it.
    public var readsHistory: Bool { self == .full || self == .masked }

    /// Cases and payments: not a helper's business (they keep in touch, they do not decide or pay).
    public var readsCases: Bool { self != .contact }

    /// Visits, contacts, income records and reviews: the treasurer pays, and does not read them.
    public var readsCareWork: Bool { self != .payment }
    public var showsChangedValues: Bool { self == .full }
}
