import ArgumentParser
import BangfuCLIKit
import BangfuCore
import Foundation

/// `bangfu-db verify`: checks the audit hash chain and the ledger.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "校验审计哈希链与账目 / Verify the audit hash chain and the ledger.")

    @OptionGroup var store: StoreOptions

    @Option(help: "此前在数据库之外记下的链头 SEQ:HASH（日志、备份输出）/ A head noted outside the database, SEQ:HASH.")
    var anchor: String?

    func run() async throws {
        do {
            let head = try anchor.map { text in
                guard let head = AuditHead(parsing: text) else {
                    throw BangfuError(
                        .invalidInput, zh: "--anchor 应为 序号:64位小写十六进制哈希",
                        en: "--anchor needs SEQ:HASH (the hash 64 lower-case hex digits)")
                }
                return head
            }
            let database = try await store.openStore(try store.loadConfiguration(), at: Date())
            let report = try await database.verify(anchor: head)
            if store.json {
                printJSON(report)
            } else {
                let zh = Language.fromEnvironment == .zh
                print(
                    zh
                        ? "审计记录 \(report.auditRows) 条，账务交易 \(report.ledgerTransactions) 笔"
                        : "\(report.auditRows) audit rows, \(report.ledgerTransactions) ledger transactions")
                if let head = report.head { print((zh ? "链头 " : "head ") + head.description) }
                if report.ok {
                    print(
                        zh
                            ? "校验通过：哈希链完整，账目平衡，无透支"
                            : "verified: the hash chain is intact, the ledger balances, no overdraft")
                } else {
                    print(zh ? "校验失败：" : "verification FAILED:")
                    for problem in report.problems { print("  - \(problem)") }
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
