import ArgumentParser
import BangfuCLIKit
import BangfuCore
import Foundation

/// `bangfu-db verify`: checks the audit hash chain and the ledger.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "校验审计哈希链与账目 / Verify the audit hash chain and the ledger.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        do {
            let s = try await store.openStore(try store.loadConfiguration(), at: Date())
            let report = try await s.verify()
            if store.json {
                printJSON(report)
            } else {
                let zh = Language.fromEnvironment == .zh
                print(
                    zh
                        ? "审计记录 \(report.auditRows) 条，账务交易 \(report.ledgerTransactions) 笔"
                        : "\(report.auditRows) audit rows, \(report.ledgerTransactions) ledger transactions")
                if report.ok {
                    print(
                        zh
                            ? "校验通过：哈希链完整，账目平衡，无透支"
                            : "verified: the hash chain is intact, the ledger balances, no overdraft")
                } else {
                    print(zh ? "校验失败：" : "verification FAILED:")
                    for p in report.problems { print("  - \(p)") }
                }
            }
            if !report.ok { throw ExitCode(2) }
        } catch let e as ExitCode {
            throw e
        } catch {
            fail(error)
        }
    }
}
