import ArgumentParser
import BangfuCLIKit
import BangfuCore
import Foundation

/// `bangfu-db pay`: pays one instalment of a case directly on the file (offline, when the daemon is down).
///
/// It acts as the real uid that runs it (its account's grants, as the daemon would see it over the
/// socket), and that is what the audit trail records; no name given on the command line is trusted.
/// Safe to run twice or from two processes at once: it pays once.
struct Pay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "离线发放一期款项（重复执行只付一次）/ Pay one instalment offline (paying twice pays once).")

    @OptionGroup var store: StoreOptions

    @Option(name: .customLong("case"), help: "案件编号，例如 BF-2027-000001 / Case number.")
    var caseNo: String

    @Option(name: .long, help: "期数（从 1 开始）/ Instalment number, from 1.")
    var instalment: Int = 1

    @Option(name: .long, help: "资金账户代码 / Fund id.")
    var fund: String

    func run() async throws {
        do {
            let cfg = try store.loadConfiguration()
            let database = try await store.openStore(cfg, at: Date())
            let helpCase = try await database.helpCase(caseNo: caseNo)
            // Who runs this, by the kernel's account of it: as the treasurer's own account (sudo -u NAME).
            let treasurer = cfg.actor(uid: getuid())
            let out = try await database.apply(
                .payInstalment(number: instalment, fund: fund), toCase: helpCase.id, by: treasurer, at: Date())
            guard let d = out.disbursement else { return }
            if store.json {
                printJSON(d)
                return
            }
            let zh = Language.fromEnvironment == .zh
            if d.alreadyPaid {
                print(
                    zh
                        ? "\(caseNo) 第 \(instalment) 期已于此前发放（\(d.amount)），本次未扣款"
                        : "\(caseNo) instalment \(instalment) was already paid (\(d.amount)); nothing debited")
            } else {
                print(
                    zh
                        ? "\(caseNo) 第 \(instalment) 期已发放 \(d.amount)，案件状态 \(out.helpCase.state.zh)"
                        : "\(caseNo) instalment \(instalment) paid \(d.amount); case is now \(out.helpCase.state.rawValue)"
                )
            }
        } catch {
            fail(error)
        }
    }
}
