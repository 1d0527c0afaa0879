import ArgumentParser
import BangfuCore
import BangfuPlugins
import BangfuStore
import BangfuWorkflow
import Foundation
import GRDB

/// Plans a holiday campaign over N households seeded directly with SQL, and prints seconds,
/// households per second and peak memory. Figures, never assertions.
@main
struct CampaignBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfu-campaign-bench",
        abstract: "走访活动规划的耗时与内存 / Time and memory to plan a campaign over many households.")

    @Option(help: "户数 / Households.") var households = 100_000
    @Option(help: "每批户数 / Households per transaction.") var batchSize = 500
    @Option(help: "工作目录（默认临时目录）/ Working directory (a temporary one by default).") var dir: String?
    @Option(help: "插件目录；默认本程序所在目录 / Plugin directory.") var pluginDir: String?
    @Flag(help: "保留数据库 / Keep the database.") var keep = false
    @Flag(help: "输出 JSON / Print JSON.") var json = false

    struct Figures: Encodable {
        var households: Int
        var batchSize: Int
        var seedSeconds: Double
        var planSeconds: Double
        var householdsPerSecond: Double
        var planned: Int
        var leftOut: Int
        var peakRSSMiB: Double
        var databaseMiB: Double
        var synchronous: String
        var buildConfiguration: String
    }

    func run() async throws {
        let work =
            dir
            ?? (FileManager.default.temporaryDirectory.appendingPathComponent(
                "bangfu-bench-\(UUID().uuidString.prefix(8))"
            ).path)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { if !keep && dir == nil { try? FileManager.default.removeItem(atPath: work) } }
        // About 8 KB a household once planned (archive, case, events, visit, audit, indexes); ask for twice that.
        let need = Double(households) * 8 * 1024 * 2
        var fs = statvfs()
        if statvfs(work, &fs) == 0 {
            let free = Double(fs.f_bavail) * Double(fs.f_frsize)
            guard free >= need else {
                print(
                    String(
                        format:
                            "not enough free disk in %@: %.1f GiB free, %.1f GiB needed for %d households; nothing run",
                        work, free / 1073741824, need / 1073741824, households))
                throw ExitCode(3)
            }
        }
        let path = work + "/bangfu.sqlite"
        let zone = BusinessZone.shanghai
        let day = try LocalDate(parsing: "2027-12-12")
        let now = zone.startOfDay(day).addingTimeInterval(9 * 3600)
        let dibao = DibaoStandard(
            region: "370200", effective: try LocalDate(parsing: "2025-01-01"), monthly: Money(yuan: 1060))
        let policy = Policy(categoryRules: CategoryRules(dibao: [dibao]), hostRules: HostRules(yearlyCap: nil))
        let store = try SQLiteStore(path: path, policy: policy)
        try await store.syncUnits(
            [
                OrgUnit(id: "city", name: "市总工会", parentId: nil, level: .city),
                OrgUnit(id: "b1", name: "一厂工会", parentId: "city", level: .grassroots),
            ], at: now)
        FileHandle.standardError.write(Data("seeding \(households) households with SQL...\n".utf8))
        let t0 = Date()
        try seed(path: path, count: households, rules: policy.categoryRules, day: day, now: now)
        let seedSeconds = Date().timeIntervalSince(t0)
        let bin =
            pluginDir
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let plugins = PluginLoader.load(directory: bin)
        _ = try plugins.helpType("holiday-condolence")
        let workflow = Workflow(
            store: store, plugins: plugins, zone: zone,
            refs: PersonRefs(secret: Data((0..<32).map { _ in UInt8.random(in: 0...255) })))
        // Budget for about 80% of the households at ¥1,000 each: the rest are left out, deepest hardship first.
        let def = CampaignDefinition(
            id: "spring-festival", name: "送温暖", holiday: .lunar(month: 1, day: 1), leadDays: 45,
            target: CampaignTarget(categories: [.deep, .relative, .accident]), helpType: "holiday-condolence",
            form: ["occasion": "spring_festival"], budget: Money(yuan: Int64(households) * 800))
        FileHandle.standardError.write(Data("planning...\n".utf8))
        let t1 = Date()
        let every = max(1, households / 20)
        let progress = try await CampaignPlanner(workflow: workflow, hostRules: HostRules(), batchSize: batchSize).plan(
            def, holiday: try LocalDate(parsing: "2028-01-26"), at: now
        ) { done, total in
            if done % every < batchSize || done == total {
                FileHandle.standardError.write(Data("  \(done)/\(total)\n".utf8))
            }
        }
        let planSeconds = Date().timeIntervalSince(t1)
        let size =
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64).flatMap { $0 }.map {
                Double($0) / 1048576
            } ?? 0
        #if DEBUG
            let build = "debug"
        #else
            let build = "release"
        #endif
        let f = Figures(
            households: households, batchSize: batchSize, seedSeconds: seedSeconds, planSeconds: planSeconds,
            householdsPerSecond: Double(households) / planSeconds, planned: progress.planned, leftOut: progress.leftOut,
            peakRSSMiB: Self.peakRSSMiB(), databaseMiB: size, synchronous: "FULL", buildConfiguration: build)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(f), as: UTF8.self))
        } else {
            print("campaign planning (\(build) build, synchronous=FULL, \(batchSize) households per transaction)")
            print(String(format: "households        %10d  (seeded with SQL in %.1f s)", households, seedSeconds))
            print(String(format: "plan              %10.1f s   %8.0f households/s", planSeconds, f.householdsPerSecond))
            print(String(format: "planned           %10d   left out by the budget %d", f.planned, f.leftOut))
            print(String(format: "peak RSS          %10.1f MiB", f.peakRSSMiB))
            print(String(format: "database          %10.1f MiB", size))
        }
    }

    /// Open archives straight into the tables, with assessments the category rules computed.
    func seed(path: String, count: Int, rules: CategoryRules, day: LocalDate, now: Date) throws {
        var config = Configuration()
        config.prepareDatabase { try $0.execute(sql: "PRAGMA synchronous = OFF") }
        let db = try DatabaseQueue(path: path, configuration: config)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        // Twenty income levels: most in deep hardship, some relative.
        var variants: [(String, String, String?)] = []
        for k in 0..<20 {
            let input = ArchiveInput(
                unitId: "b1", region: "370202",
                head: Person(name: "NAME", idNumber: .synthetic(index: 0), workStatus: .laidOff),
                annualIncome: Money(yuan: Int64(6_000 + k * 800)), mainCause: "laid_off")
            let a = try rules.assess(input, on: day)
            variants.append(
                (
                    String(decoding: try enc.encode(input), as: UTF8.self),
                    String(decoding: try enc.encode(a), as: UTF8.self), a.category?.rawValue
                ))
        }
        let template = IDNumber.synthetic(index: 0).value
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        let due = day.adding(months: 12).description
        for start in stride(from: 0, to: count, by: 50_000) {
            try db.write { db in
                let h = try db.makeStatement(
                    sql: """
                        INSERT INTO household(archive_no, unit_id, status, category, data, assessment, review_due, created_ms, version)
                        VALUES (?, 'b1', 'open', ?, ?, ?, ?, ?, 0)
                        """)
                let p = try db.makeStatement(
                    sql: "INSERT INTO household_person(household_id, id_number, is_open) VALUES (?, ?, 1)")
                for i in start..<min(start + 50_000, count) {
                    let v = variants[i % 20]
                    let id = IDNumber.synthetic(index: 10_000_000 + i).value
                    let data = v.0.replacingOccurrences(of: template, with: id).replacingOccurrences(
                        of: "NAME", with: "户主\(i)")
                    try h.execute(arguments: ["HB-\(i)", v.2, data, v.1, due, ms])
                    try p.execute(arguments: [db.lastInsertedRowID, id])
                }
            }
        }
    }

    static func peakRSSMiB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return kb / 1024
    }
}
