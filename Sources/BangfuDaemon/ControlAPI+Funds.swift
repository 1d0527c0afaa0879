import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    struct CreateFund: Decodable, Sendable {
        var id, name, unitId: String
        var source: FundSource
        var donor: String?
        var helpTypes: [String]
    }
    struct DepositParams: Decodable, Sendable {
        var fundId: String
        var amount: Int64
        var memo: String
    }
    struct TransferParams: Decodable, Sendable {
        var from, to: String
        var amount: Int64
        var reason: String
    }
    struct ConfirmParams: Decodable, Sendable {
        var id: Int64
        var note: String?
    }
    struct RejectParams: Decodable, Sendable {
        var id: Int64
        var note: String
    }
    struct PendingParams: Decodable, Sendable { var pendingOnly: Bool? }
    struct Empty: Decodable, Sendable {}
    struct LedgerParams: Decodable, Sendable {
        var fundId, from, to: String
        var limit: Int64?
        var after: String?
    }
    struct Period: Decodable, Sendable { var from, to: String }

    static let fundReaders: Set<Role> = [.treasurer, .approver, .auditor, .admin]

    func fundWire(_ id: String) async throws -> JSONValue {
        try ControlAPI.json(
            Wire.Fund(try await runtime.store.fund(id: id), balance: try await runtime.store.balance(fundId: id)))
    }

    func funds() -> VarlinkInterface {
        let i = "org.bangfu.Funds"
        let store = runtime.store
        let clock = runtime.clock
        let methods: [(String, VarlinkMethod)] = [
            change(.fundsCreate, roles: [.treasurer], CreateFund.self) { actor, p, writes in
                try await writes.store.createFund(
                    FundAccount(
                        id: p.id, name: p.name, unitId: p.unitId, source: p.source, donor: p.donor,
                        helpTypes: p.helpTypes), by: actor, at: clock.now())
                return .reply(["fund": try await fundWire(p.id)])
            },
            change(.fundsDeposit, roles: [.treasurer], DepositParams.self) { actor, p, writes in
                // The domain bounds the amount (and names the field).
                try await writes.store.deposit(
                    fundId: p.fundId, amount: Money(fen: p.amount), memo: p.memo, by: actor, at: clock.now())
                return .reply(["fund": try await fundWire(p.fundId)])
            },
            change(.fundsTransfer, roles: [.approver], TransferParams.self) { actor, p, writes in
                let transfer = try await writes.store.requestTransfer(
                    from: p.from, to: p.to, amount: Money(fen: p.amount), reason: p.reason, by: actor,
                    at: clock.now())
                return .reply(["transfer": ControlAPI.transferWire(transfer, now: clock.now())])
            },
            change(.fundsConfirmTransfer, roles: [.approver], ConfirmParams.self) { actor, p, writes in
                let transfer = try await writes.store.decideTransfer(
                    id: p.id, confirm: true, note: p.note, by: actor, at: clock.now())
                return .reply([
                    "transfer": ControlAPI.transferWire(transfer, now: clock.now()),
                    "from": try await fundWire(transfer.from),
                    "to": try await fundWire(transfer.to),
                ])
            },
            change(.fundsRejectTransfer, roles: [.approver], RejectParams.self) { actor, p, writes in
                guard !p.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw BangfuError(
                        .invalidInput, zh: "驳回调拨必须写明理由", en: "rejecting a transfer needs a note",
                        context: ["field": "note"])
                }
                let transfer = try await writes.store.decideTransfer(
                    id: p.id, confirm: false, note: p.note, by: actor, at: clock.now())
                return .reply(["transfer": ControlAPI.transferWire(transfer, now: clock.now())])
            },
            method(.fundsPending, roles: ControlAPI.fundReaders, PendingParams.self) { actor, p in
                let tree = try await store.unitTree()
                let readable = try await store.funds().filter { actor.mayRead(.fund, unit: $0.unitId, in: tree) }.map(
                    \.id)
                let now = clock.now()
                // A transfer shows only when the caller may read both of its funds.
                let visible = try await store.transfers(fundIds: readable).filter { transfer in
                    readable.contains(transfer.from) && readable.contains(transfer.to)
                        && (p.pendingOnly != true || transfer.state(at: now) == .pending)
                }
                return .reply(["transfers": .array(visible.map { ControlAPI.transferWire($0, now: now) })])
            },
            method(.fundsList, roles: ControlAPI.fundReaders, Empty.self) { actor, _ in
                let tree = try await store.unitTree()
                var out: [JSONValue] = []
                for f in try await store.funds()
                where actor.holds(anyOf: ControlAPI.fundReaders, on: f.unitId, in: tree) {
                    out.append(try await fundWire(f.id))
                }
                return .reply(["funds": .array(out)])
            },
            method(.fundsLedger, roles: ControlAPI.fundReaders, LedgerParams.self) { actor, p in
                let f = try await store.fund(id: p.fundId)
                try actor.requireRead(RecordRef(.fund, f.id), unit: f.unitId, in: try await store.unitTree())
                let period = try LocalDate.period(from: p.from, to: p.to)
                let page = try Page(limit: p.limit, after: p.after)
                let (lines, next) = page.cut(
                    try await store.ledger(fundId: p.fundId, from: period.from, to: period.to, page: page)
                ) { $0.txn }
                return .stream(
                    ControlAPI.paged(lines, next: next) { l in
                        [
                            "line": .object([
                                "txn": .int(l.txn), "at": .string(Wire.time(l.at)),
                                "businessDate": .string(l.businessDate.description),
                                "kind": .string(l.kind.rawValue), "amount": .int(l.amount.fen),
                                "actor": .string(l.actor),
                                "memo": l.memo.map { .string($0) } ?? .null,
                                "caseNo": l.caseNo.map { .string($0) } ?? .null,
                            ])
                        ]
                    })
            },
            // Public accounts (帐务公开): anyone with a role may read them.
            method(.fundsStatement, roles: Set(Role.allCases), Period.self) { _, p in
                let period = try LocalDate.period(from: p.from, to: p.to)
                let rows = try await store.statement(from: period.from, to: period.to)
                return .reply(["funds": try ControlAPI.json(rows)])
            },
        ]
        return VarlinkInterface(
            name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Funds_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }

    /// A transfer as the IDL's `Transfer`, its state as of `now` (a pending one past its expiry reads as expired).
    static func transferWire(_ transfer: PendingTransfer, now: Date) -> JSONValue {
        .object([
            "id": .int(transfer.id), "from": .string(transfer.from), "to": .string(transfer.to),
            "amount": .int(transfer.amount.fen),
            "reason": .string(transfer.reason), "requestedBy": .string(transfer.requestedBy),
            "requestedAt": .string(Wire.time(transfer.requestedAt)),
            "expiresAt": .string(Wire.time(transfer.expiresAt)),
            "state": .string(transfer.state(at: now).rawValue),
            "decidedBy": transfer.decidedBy.map { .string($0) } ?? .null,
            "decidedAt": transfer.decidedAt.map { .string(Wire.time($0)) } ?? .null,
            "note": transfer.note.map { .string($0) } ?? .null,
        ])
    }
}
