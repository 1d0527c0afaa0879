import BangfuCore
import BangfuVarlink
import Foundation

extension ControlAPI {
    struct CreateFund: Decodable, Sendable {
        var id, name, unitId: String
        var source: FundSource
        var donor: String?
        var helpTypes: [String]
    }
    struct DepositParams: Decodable, Sendable { var fundId: String; var amount: Int64; var memo: String }
    struct TransferParams: Decodable, Sendable { var from, to: String; var amount: Int64; var reason: String }
    struct Empty: Decodable, Sendable {}
    struct LedgerParams: Decodable, Sendable { var fundId, from, to: String }
    struct Period: Decodable, Sendable { var from, to: String }

    static let fundReaders: Set<Role> = [.treasurer, .approver, .auditor, .admin]

    func fundWire(_ id: String) async throws -> JSONValue {
        try ControlAPI.json(Wire.Fund(try await runtime.store.fund(id: id), balance: try await runtime.store.balance(fundId: id)))
    }

    func funds() -> VarlinkInterface {
        let i = "org.bangfu.Funds"
        let store = runtime.store
        let clock = runtime.clock
        let methods: [(String, VarlinkMethod)] = [
            method(i, "Create", roles: [.treasurer], mutating: true, CreateFund.self) { actor, p in
                try await store.createFund(FundAccount(id: p.id, name: p.name, unitId: p.unitId, source: p.source, donor: p.donor,
                                                       helpTypes: p.helpTypes), by: actor, at: clock.now())
                return .reply(["fund": try await fundWire(p.id)])
            },
            method(i, "Deposit", roles: [.treasurer], mutating: true, DepositParams.self) { actor, p in
                try await store.deposit(fundId: p.fundId, amount: Money(fen: p.amount), memo: p.memo, by: actor, at: clock.now())
                return .reply(["fund": try await fundWire(p.fundId)])
            },
            method(i, "Transfer", roles: [.approver], mutating: true, TransferParams.self) { actor, p in
                try await store.transfer(from: p.from, to: p.to, amount: Money(fen: p.amount), reason: p.reason, by: actor, at: clock.now())
                return .reply(["from": try await fundWire(p.from), "to": try await fundWire(p.to)])
            },
            method(i, "List", roles: ControlAPI.fundReaders, Empty.self) { actor, _ in
                let tree = try await store.unitTree()
                var out: [JSONValue] = []
                for f in try await store.funds() where actor.holds(anyOf: ControlAPI.fundReaders, on: f.unitId, in: tree) {
                    out.append(try await fundWire(f.id))
                }
                return .reply(["funds": .array(out)])
            },
            method(i, "Ledger", roles: ControlAPI.fundReaders, LedgerParams.self) { actor, p in
                let f = try await store.fund(id: p.fundId)
                try actor.require(anyOf: ControlAPI.fundReaders, on: f.unitId, in: try await store.unitTree(), for: "ledger")
                let lines = try await store.ledger(fundId: p.fundId, from: try LocalDate(parsing: p.from), to: try LocalDate(parsing: p.to))
                return .stream(lines.map { l in
                    ["line": .object(["txn": .int(l.txn), "at": .string(Wire.time(l.at)), "businessDate": .string(l.businessDate.description),
                                      "kind": .string(l.kind.rawValue), "amount": .int(l.amount.fen), "actor": .string(l.actor),
                                      "memo": l.memo.map { .string($0) } ?? .null, "caseNo": l.caseNo.map { .string($0) } ?? .null])]
                })
            },
            // Public accounts (帐务公开): anyone with a role may read them.
            method(i, "Statement", roles: Set(Role.allCases), Period.self) { _, p in
                let rows = try await store.statement(from: try LocalDate(parsing: p.from), to: try LocalDate(parsing: p.to))
                return .reply(["funds": try ControlAPI.json(rows)])
            },
        ]
        return VarlinkInterface(name: i, description: ControlAPI.idl(PackageResources.org_bangfu_Funds_varlink),
                                methods: Dictionary(uniqueKeysWithValues: methods))
    }
}
