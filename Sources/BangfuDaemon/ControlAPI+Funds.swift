import BangfuCore
import BangfuDomain
import BangfuVarlink
import BangfuWire
import Foundation

extension ControlAPI {
    static let fundReaders: Set<Role> = [.treasurer, .approver, .auditor, .admin]
    /// The most lines one signature sheet holds.
    static let sheetLines = 10_000

    func fundWire(_ id: String) async throws -> Wire.Funds.Fund {
        Wire.Funds.Fund(try await runtime.store.fund(id: id), balance: try await runtime.store.balance(fundId: id))
    }

    func funds() -> VarlinkInterface {
        let store = runtime.store
        let clock = runtime.clock
        let methods: [(String, VarlinkMethod)] = [
            change(Wire.Funds.Create.self, roles: [.treasurer]) { actor, call, writes in
                let fund = FundAccount(
                    id: call.id, name: call.name, unitId: call.unitId,
                    source: try ControlAPI.parse(call.source, field: "source"), donor: call.donor,
                    helpTypes: call.helpTypes)
                try await writes.store.createFund(fund, by: actor, at: clock.now())
                return .init(fund: try await fundWire(call.id))
            },
            change(Wire.Funds.Deposit.self, roles: [.treasurer]) { actor, call, writes in
                // The domain bounds the amount (and names the field).
                try await writes.store.deposit(
                    fundId: call.fundId, amount: Money(fen: call.amount), memo: call.memo, by: actor, at: clock.now())
                return .init(fund: try await fundWire(call.fundId))
            },
            change(Wire.Funds.Transfer.self, roles: [.approver]) { actor, call, writes in
                let transfer = try await writes.store.requestTransfer(
                    from: call.from, to: call.to, amount: Money(fen: call.amount), reason: call.reason, by: actor,
                    at: clock.now())
                return .init(transfer: Wire.Funds.PendingTransfer(transfer, now: clock.now()))
            },
            change(Wire.Funds.ConfirmTransfer.self, roles: [.approver]) { actor, call, writes in
                let transfer = try await writes.store.decideTransfer(
                    id: call.id, confirm: true, note: call.note, by: actor, at: clock.now())
                return .init(
                    transfer: Wire.Funds.PendingTransfer(transfer, now: clock.now()),
                    from: try await fundWire(transfer.from), to: try await fundWire(transfer.to))
            },
            change(Wire.Funds.RejectTransfer.self, roles: [.approver]) { actor, call, writes in
                guard !call.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    throw BangfuError(
                        .invalidInput, zh: "驳回调拨必须写明理由", en: "rejecting a transfer needs a note",
                        context: ["field": "note"])
                }
                let transfer = try await writes.store.decideTransfer(
                    id: call.id, confirm: false, note: call.note, by: actor, at: clock.now())
                return .init(transfer: Wire.Funds.PendingTransfer(transfer, now: clock.now()))
            },
            method(Wire.Funds.Pending.self, roles: ControlAPI.fundReaders) { actor, call in
                let tree = try await store.unitTree()
                let readable = try await store.funds().filter { fund in
                    actor.mayRead(.fund, unit: fund.unitId, in: tree)
                }.map(\.id)
                let now = clock.now()
                // A transfer shows only when the caller may read both of its funds.
                let visible = try await store.transfers(fundIds: readable).filter { transfer in
                    readable.contains(transfer.from) && readable.contains(transfer.to)
                        && (call.pendingOnly != true || transfer.state(at: now) == .pending)
                }
                return .init(transfers: visible.map { transfer in Wire.Funds.PendingTransfer(transfer, now: now) })
            },
            method(Wire.Funds.List.self, roles: ControlAPI.fundReaders) { actor, _ in
                let tree = try await store.unitTree()
                var funds: [Wire.Funds.Fund] = []
                for fund in try await store.funds()
                where actor.holds(anyOf: ControlAPI.fundReaders, on: fund.unitId, in: tree) {
                    funds.append(try await fundWire(fund.id))
                }
                return .init(funds: funds)
            },
            listing(Wire.Funds.Ledger.self, roles: ControlAPI.fundReaders) { actor, call in
                let fund = try await store.fund(id: call.fundId)
                try actor.requireRead(RecordRef(.fund, fund.id), unit: fund.unitId, in: try await store.unitTree())
                let period = try LocalDate.period(from: call.from, to: call.to)
                let page = try Page(limit: call.limit, after: call.after)
                let (lines, next) = page.cut(
                    try await store.ledger(fundId: call.fundId, from: period.from, to: period.to, page: page)
                ) { line in line.txn }
                return ControlAPI.paged(lines, next: next) { line in
                    .init(
                        line: Wire.Funds.Line(
                            txn: line.txn, at: Wire.time(line.at), businessDate: line.businessDate.description,
                            kind: line.kind.rawValue, amount: line.amount.fen, actor: line.actor, memo: line.memo,
                            caseNo: line.caseNo))
                }
            },
            // The signature sheet: each payee's name for the treasurer who hands the money over,
            // masked for the auditor; ID numbers always masked (the payee shows the card).
            method(Wire.Funds.SignatureSheet.self, roles: ControlAPI.fundReaders) { actor, call in
                let period = try LocalDate.period(from: call.from, to: call.to)
                let units = try await readableUnits(actor, roles: ControlAPI.fundReaders, under: call.unit)
                let paid = try await store.payments(
                    units: units, from: period.from, to: period.to, limit: ControlAPI.sheetLines + 1)
                guard paid.count <= ControlAPI.sheetLines else {
                    throw BangfuError(
                        .invalidInput, zh: "期间内发放超过 \(ControlAPI.sheetLines) 笔：请缩短日期范围或指定单位",
                        en: "more than \(ControlAPI.sheetLines) payments in the period: narrow the dates or name a unit"
                    )
                }
                let tree = try await store.unitTree()
                let households = Dictionary(
                    try await store.households(ids: Array(Set(paid.map(\.householdId)))).map { ($0.id, $0) },
                    uniquingKeysWith: { first, _ in first })
                let plugins = runtime.plugins
                let lines = paid.map { line in
                    let head = households[line.householdId]?.input.head
                    let name = head?.name ?? ""
                    let visibility = Visibility.of(actor, unit: line.unitId, in: tree) ?? .masked
                    return Wire.Funds.SheetLine(
                        caseNo: line.caseNo, name: visibility == .masked ? maskedName(name) : name,
                        idNumber: head?.idNumber.masked ?? "", unit: tree.units[line.unitId]?.name ?? line.unitId,
                        helpType: plugins.nameZh(of: line.helpType),
                        instalment: Int64(line.disbursement.instalment), fundId: line.disbursement.fundId,
                        amount: line.disbursement.amount.fen, paidAt: Wire.time(line.disbursement.paidAt))
                }
                // Read after the payments: the head covers at least what the sheet shows.
                return .init(lines: lines, head: try await store.auditHead()?.description)
            },
            // Public accounts (帐务公开): anyone with a role may read them.
            method(Wire.Funds.Statement.self, roles: Set(Role.allCases)) { _, call in
                let period = try LocalDate.period(from: call.from, to: call.to)
                let rows = try await store.statement(from: period.from, to: period.to)
                // Read after the figures: the head covers at least what the statement shows.
                let head = try await store.auditHead()?.description
                return .init(funds: rows.map(Wire.Funds.FundStatement.init), head: head)
            },
        ]
        return VarlinkInterface(
            name: "org.bangfu.Funds", description: ControlAPI.idl(PackageResources.org_bangfu_Funds_varlink),
            methods: Dictionary(uniqueKeysWithValues: methods))
    }
}

extension Wire.Funds.PendingTransfer {
    /// A transfer with its state as of `now` (a pending one past its expiry reads as expired).
    init(_ transfer: BangfuCore.PendingTransfer, now: Date) {
        self.init(
            id: transfer.id, from: transfer.from, to: transfer.to, amount: transfer.amount.fen, reason: transfer.reason,
            requestedBy: transfer.requestedBy, requestedAt: Wire.time(transfer.requestedAt),
            expiresAt: Wire.time(transfer.expiresAt), state: transfer.state(at: now).rawValue,
            decidedBy: transfer.decidedBy, decidedAt: transfer.decidedAt.map(Wire.time), note: transfer.note)
    }
}

extension Wire.Funds.FundStatement {
    init(_ statement: BangfuCore.FundStatement) {
        self.init(
            fundId: statement.fundId, fundName: statement.fundName, source: statement.source.rawValue,
            opening: statement.opening.fen, deposits: statement.deposits.fen, transfersIn: statement.transfersIn.fen,
            repayments: statement.repayments.fen, disbursements: statement.disbursements.fen,
            loansOut: statement.loansOut.fen, transfersOut: statement.transfersOut.fen,
            closing: statement.closing.fen, byHelpType: statement.byHelpType.mapValues(\.fen),
            recipients: Int64(statement.recipients))
    }
}
