import BangfuCore
import BangfuPluginKit
import BangfuVarlink
import BangfuWorkflow
import Foundation
import Synchronization

/// What the wire carries: shapes of the IDL types, amounts in fen, instants as ISO 8601 text.
enum Wire {
    /// The business zone instants are shown in (set from the configuration at start and reload).
    static let zone = Mutex(TimeZone(identifier: "Asia/Shanghai")!)

    /// ISO 8601 with the business zone's offset: `2027-02-19T00:00:00+08:00`.
    static func time(_ d: Date) -> String { InstantText.iso8601(d, zone: zone.withLock { $0 }) }

    struct Plan: Codable, Sendable {
        var kind: String
        var amount: Int64
        var months: Int?
        var termMonths: Int?
        var total: Int64

        init(_ p: PaymentPlan) {
            switch p {
            case .oneOff(let m):
                kind = "one_off"
                amount = m.fen
            case .monthly(let m, let n):
                kind = "monthly"
                amount = m.fen
                months = n
            case .loan(let m, let t):
                kind = "loan"
                amount = m.fen
                termMonths = t
            case .nonMonetary:
                kind = "non_monetary"
                amount = 0
            }
            total = p.total.fen
        }

        init(_ p: PlanProposal) { self.init(Workflow.plan(p)) }
    }

    struct Case: Codable, Sendable {
        var id: Int64
        var caseNo: String
        var archiveNo: String
        var unitId: String
        var helpType: String
        var state: String
        var form: JSONValue
        var filedBy: String
        var reviewedBy: String?
        var approvedBy: String?
        var plan: Plan?
        var noticeDeadline: String?
        var frozenRemainingDays: Int?
        var instalmentsPaid: Int
        var repaid: Int64
        var reason: String?

        /// The case as a role without full visibility (treasurer, auditor) sees it: the form's text
        /// and the reason hidden, its numbers (amounts, counts) and choices kept.
        func seen(by visibility: Visibility) -> Case {
            guard visibility != .full else { return self }
            var seen = self
            if case .object(let fields) = form {
                seen.form = .object(
                    fields.mapValues { value in if case .string = value { .string(Wire.hidden) } else { value } })
            }
            seen.reason = reason.map { _ in Wire.hidden }
            return seen
        }

        init(_ c: HelpCase, archiveNo: String) {
            id = c.id
            caseNo = c.caseNo
            self.archiveNo = archiveNo
            unitId = c.unitId
            helpType = c.helpType
            state = c.state.rawValue
            form = (try? JSONValue.parse(c.formJSON.utf8)) ?? .object([:])
            filedBy = c.filedBy
            reviewedBy = c.reviewedBy
            approvedBy = c.approvedBy
            plan = c.plan.map(Plan.init)
            noticeDeadline = c.noticeDeadline.map(Wire.time)
            frozenRemainingDays = c.frozenRemainingDays
            instalmentsPaid = c.instalmentsPaid
            repaid = c.repaid.fen
            reason = c.reason
        }
    }

    /// What stands in for free text a role may not read (forms' text, reasons, comments).
    static let hidden = "***"

    struct Event: Codable, Sendable {
        var at, actor, event, from, to: String
        var comment: String?

        /// The event as a role without full visibility sees it: the comment's text hidden.
        func seen(by visibility: Visibility) -> Event {
            guard visibility != .full, comment != nil else { return self }
            var seen = self
            seen.comment = Wire.hidden
            return seen
        }

        init(_ e: CaseEventRecord) {
            at = Wire.time(e.at)
            actor = e.actor
            event = e.event.rawValue
            from = e.from.rawValue
            to = e.to.rawValue
            comment = e.comment
        }
    }

    struct Payment: Codable, Sendable {
        var instalment: Int
        var fundId: String
        var amount: Int64
        var paidAt: String
        var paidBy: String
        var alreadyPaid: Bool
        init(_ d: Disbursement) {
            instalment = d.instalment
            fundId = d.fundId
            amount = d.amount.fen
            paidAt = Wire.time(d.paidAt)
            paidBy = d.paidBy
            alreadyPaid = d.alreadyPaid
        }
    }

    /// How much of an archive a role may see.
    enum Visibility: Sendable {
        /// Caseworker, reviewer, approver, admin of the unit.
        case full
        /// Treasurer: the name and bank account for real-name payment.
        case payment
        /// Auditor: masked names and ID numbers, no contact, bank, health or free text.
        case masked
    }

    struct Household: Codable, Sendable {
        var id: Int64
        var archiveNo: String
        var status: String
        var category: String?
        var categoryReason: String
        var perCapitaMonthly: Int64
        var dibaoMonthly: Int64
        var reviewDue: String
        var createdAt: String
        var closedAt: String?
        var exitReason: String?
        var archive: JSONValue

        init(_ h: BangfuCore.Household, visibility: Visibility) throws {
            id = h.id
            archiveNo = h.archiveNo
            status = h.status.rawValue
            category = h.assessment.category?.rawValue
            categoryReason = h.assessment.reasonZh
            perCapitaMonthly = h.assessment.perCapitaMonthly.fen
            dibaoMonthly = h.assessment.dibaoMonthly.fen
            reviewDue = h.reviewDue.description
            createdAt = Wire.time(h.createdAt)
            closedAt = h.closedAt.map(Wire.time)
            exitReason = h.exitReason?.rawValue
            archive = try Wire.archive(h.input, visibility, archiveNo: h.archiveNo)
        }
    }

    /// The archive form as JSON, with what the role may not see taken out or masked.
    static func archive(_ a: ArchiveInput, _ v: Visibility, archiveNo: String) throws -> JSONValue {
        guard case .object(var o) = try JSONValue(encoding: a) else { return .object([:]) }
        // Each person's opaque reference, which forms use to name a student or a job seeker.
        if case .object(var head) = o["head"] {
            head["ref"] = .string(Workflow.ref(archiveNo, a.head.idNumber))
            o["head"] = .object(head)
        }
        if case .array(let members) = o["members"] {
            o["members"] = .array(
                zip(members, a.members).map { m, member in
                    guard case .object(var x) = m else { return m }
                    x["ref"] = .string(Workflow.ref(archiveNo, member.idNumber))
                    return .object(x)
                })
        }
        guard v != .full else { return .object(o) }
        let keepHead: Set<String> =
            v == .payment
            ? ["name", "idNumber", "workStatus", "bankAccount"]
            : [
                "name", "idNumber", "workStatus", "politicalStatus", "modelWorkerLevel", "housingType",
                "housingAreaSqm",
            ]
        if case .object(var head) = o["head"] {
            head = head.filter { keepHead.contains($0.key) || $0.key == "ref" }
            head["idNumber"] = .string(a.head.idNumber.masked)
            if v == .masked { head["name"] = .string(maskedName(a.head.name)) }
            o["head"] = .object(head)
        }
        if v == .payment {
            o["members"] = .array([])
        } else {
            o["members"] = .array(
                a.members.map { m in
                    .object([
                        "name": .string(maskedName(m.name)), "idNumber": .string(m.idNumber.masked),
                        "relation": .string(m.relation),
                        "monthlyIncome": .int(m.monthlyIncome.fen), "ref": .string(Workflow.ref(archiveNo, m.idNumber)),
                    ])
                })
        }
        for k in ["fiveClears", "urgentNeeds"] { o.removeValue(forKey: k) }
        return .object(o)
    }

    struct Summary: Codable, Sendable {
        var archiveNo, name, unitId, status: String
        var category: String?
        var reviewDue: String
    }

    struct Fund: Codable, Sendable {
        var id, name, unitId, source: String
        var donor: String?
        var helpTypes: [String]
        var balance: Int64
        init(_ f: FundAccount, balance: Money) {
            id = f.id
            name = f.name
            unitId = f.unitId
            source = f.source.rawValue
            donor = f.donor
            helpTypes = f.helpTypes
            self.balance = balance.fen
        }
    }

    struct NoticeEntry: Codable, Sendable {
        var caseNo, name, unit, helpType: String
        var amount: Int64
        var state: String
        var passesAt: String?
    }
}

/// A wire type that builds its JSON by hand: the replies of every case call, where going through
/// Codable was a tenth of a case read. Keys and absent optionals as Codable would write them
/// (a test in the daemon suite compares both).
protocol WireValue {
    var json: JSONValue { get }
}

extension JSONValue {
    /// `.string` or nothing, for optional fields Codable leaves out when nil.
    fileprivate static func optional(_ s: String?) -> JSONValue? { s.map { .string($0) } }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Sets `key` only when there is a value (Codable's `encodeIfPresent`).
    fileprivate mutating func put(_ key: String, _ value: JSONValue?) { if let value { self[key] = value } }
}

extension Wire.Plan: WireValue {
    var json: JSONValue {
        var o: [String: JSONValue] = ["kind": .string(kind), "amount": .int(amount), "total": .int(total)]
        o.put("months", months.map { .int(Int64($0)) })
        o.put("termMonths", termMonths.map { .int(Int64($0)) })
        return .object(o)
    }
}

extension Wire.Case: WireValue {
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .int(id), "caseNo": .string(caseNo), "archiveNo": .string(archiveNo), "unitId": .string(unitId),
            "helpType": .string(helpType), "state": .string(state), "form": form, "filedBy": .string(filedBy),
            "instalmentsPaid": .int(Int64(instalmentsPaid)), "repaid": .int(repaid),
        ]
        o.put("reviewedBy", .optional(reviewedBy))
        o.put("approvedBy", .optional(approvedBy))
        o.put("plan", plan?.json)
        o.put("noticeDeadline", .optional(noticeDeadline))
        o.put("frozenRemainingDays", frozenRemainingDays.map { .int(Int64($0)) })
        o.put("reason", .optional(reason))
        return .object(o)
    }
}

extension Wire.Event: WireValue {
    var json: JSONValue {
        var o: [String: JSONValue] = [
            "at": .string(at), "actor": .string(actor), "event": .string(event), "from": .string(from),
            "to": .string(to),
        ]
        o.put("comment", .optional(comment))
        return .object(o)
    }
}

extension Wire.Payment: WireValue {
    var json: JSONValue {
        .object([
            "instalment": .int(Int64(instalment)), "fundId": .string(fundId), "amount": .int(amount),
            "paidAt": .string(paidAt),
            "paidBy": .string(paidBy), "alreadyPaid": .bool(alreadyPaid),
        ])
    }
}
