import ArgumentParser
import BangfuCLIKit
import BangfuConfig
import BangfuCore
import BangfuStore
import Foundation

/// `bangfu-db seed`: fills a store with synthetic households and submitted cases, for trials and load tests.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "写入合成样例：档案与已提交的申请 / Add synthetic households with submitted cases.")

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "户数 / Number of households.")
    var households: Int = 1000

    @Option(
        name: .long,
        help:
            "借用哪个配置用户的经办人授权；记录中写的是运行本命令的真实用户 / Configured caseworker whose grants to use; records name the real user running this."
    )
    var caseworker: String = "wangfang"

    @Option(name: .long, help: "建档单位 / Unit of the archives.")
    var unit: String = "shinan-textile"

    @Option(name: .long, help: "低保地区代码 / Region code.")
    var region: String = "370202"

    @Option(name: .long, help: "合成身份证序号起点 / First synthetic ID index (to seed the same file twice).")
    var firstIndex: Int = 1_000_000

    func run() async throws {
        do {
            guard (1...5_000_000).contains(households) else {
                throw BangfuError(
                    .invalidInput, zh: "--households 须在 1 到 5000000 之间", en: "--households must be 1 to 5000000")
            }
            let cfg = try store.loadConfiguration()
            let db = try await store.openStore(cfg, at: Date(), create: true)
            // Sample data under the caseworker's grants, recorded as the real user who ran this (the
            // offline tools never write a name given on the command line into the records).
            let actor = Actor(id: cfg.actor(uid: getuid()).id, grants: cfg.actor(user: caseworker).grants)
            let zh = Language.fromEnvironment == .zh
            let started = Date()
            var lastReport = started
            for i in 0..<households {
                let now = Date()
                let input = ArchiveInput(
                    unitId: unit, region: region,
                    head: Person(name: "样例\(i)", idNumber: .synthetic(index: firstIndex + i), workStatus: .unemployed),
                    annualIncome: Money(yuan: Int64(6_000 + (i % 20) * 500)), mainCause: "unemployed")
                let h = try await db.createArchive(input, by: actor, at: now)
                let c = try await db.fileCase(householdId: h.id, helpType: "hardship-relief", by: actor, at: now)
                _ = try await db.apply(.submit, toCase: c.id, by: actor, at: now)
                if now.timeIntervalSince(lastReport) >= 1 || i + 1 == households {
                    lastReport = now
                    let rate = Double(i + 1) / max(now.timeIntervalSince(started), 0.001)
                    FileHandle.standardError.write(
                        Data(
                            (zh
                                ? "已写入 \(i + 1)/\(households) 户（\(Int(rate)) 户/秒）\n"
                                : "seeded \(i + 1)/\(households) households (\(Int(rate))/s)\n").utf8))
                }
            }
        } catch {
            fail(error)
        }
    }
}
