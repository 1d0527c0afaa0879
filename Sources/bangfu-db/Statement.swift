import ArgumentParser
import BangfuCLIKit
import BangfuCore
import Foundation

/// `bangfu-db statement`: income and expenditure per fund for a period (帐务公开).
struct Statement: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "帐务公开：各资金账户收支 / Income and expenditure per fund for a period.")

    @OptionGroup var store: StoreOptions

    @OptionGroup var period: PeriodOptions

    func run() async throws {
        do {
            let s = try await store.openStore(try store.loadConfiguration(), at: Date())
            let rows = try await s.statement(from: try period.dates().0, to: try period.dates().1)
            if store.json {
                printJSON(rows)
                return
            }
            let zh = Language.fromEnvironment == .zh
            var t = TextTable(
                headers: zh
                    ? ["资金账户", "来源", "期初", "入账", "调入", "还款", "发放", "借出", "调出", "期末", "受助户数"]
                    : [
                        "fund", "source", "opening", "deposits", "in", "repaid", "paid", "lent", "out", "closing",
                        "households",
                    ],
                rightAligned: Set(2...10))
            for r in rows {
                t.add(
                    [r.fundName, zh ? r.source.zh : r.source.rawValue]
                        + [
                            r.opening, r.deposits, r.transfersIn, r.repayments,
                            r.disbursements, r.loansOut, r.transfersOut, r.closing,
                        ].map(\.description) + [String(r.recipients)])
            }
            print(t.render())
        } catch {
            fail(error)
        }
    }
}
