import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuEvidence
import BangfuStore
import Foundation

/// `bangfu-db verify`: checks the audit hash chain and the ledger.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "校验审计哈希链与账目 / Verify the audit hash chain and the ledger.")

    @OptionGroup var store: StoreOptions

    @Option(help: "此前在数据库之外记下的链头 SEQ:HASH（日志、备份输出）/ A head noted outside the database, SEQ:HASH.")
    var anchor: String?

    @Option(help: "bangfud 签名的检查点文件（bangfuctl checkpoint export）/ A checkpoint file bangfud signed.")
    var checkpoint: String?

    @Option(help: "与检查点一同导出的公钥文件 / The public key file exported with it.")
    var publicKey: String?

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
            var anchors = head.map { [$0] } ?? []
            if let checkpoint {
                anchors.append(try Verify.signedHead(checkpoint: checkpoint, publicKey: publicKey))
            }
            let database = try await store.openStore(try store.loadConfiguration(), at: Date())
            let report = try await database.verify(anchors: anchors)
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

    /// The head of a checkpoint file, once its signature is checked with the public key.
    static func signedHead(checkpoint path: String, publicKey keyPath: String?) throws -> AuditHead {
        guard let keyPath else {
            throw BangfuError(
                .invalidInput, zh: "--checkpoint 需要 --public-key：没有公钥无法核对签名",
                en: "--checkpoint needs --public-key: a signature means nothing without the key")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let checkpoint = Checkpoint(parsing: text)
        else {
            throw BangfuError(.invalidInput, zh: "\(path) 不是检查点文件", en: "\(path) is not a checkpoint file")
        }
        guard let keyText = try? String(contentsOfFile: keyPath, encoding: .utf8),
            let key = Checkpoint.publicKey(parsing: keyText)
        else {
            throw BangfuError(.invalidInput, zh: "\(keyPath) 不是公钥文件", en: "\(keyPath) is not a public key file")
        }
        guard checkpoint.isSigned(by: key) else {
            throw BangfuError(
                .invalidInput, zh: "检查点的签名与公钥不符：该检查点不是 bangfud 用这把密钥签的",
                en: "the checkpoint's signature does not match the public key: bangfud did not sign it with this key")
        }
        return checkpoint.head
    }
}
