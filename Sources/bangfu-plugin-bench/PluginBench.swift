import ArgumentParser
import BangfuPluginKit
import BangfuPlugins
import Foundation

/// Assesses N households for a help type through the batch entry point and one by one, and prints
/// households per second for both, their ratio, and the peak memory. Figures, never assertions.
@main
struct PluginBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bangfu-plugin-bench",
        abstract: "帮扶项目插件批量与逐户测算的速度 / Plugin assessment speed: batch against one by one.")

    @Option(help: "户数 / Households.") var households = 100_000
    @Option(help: "每批户数 / Households per batch call.") var batchSize = 10_000
    @Option(help: "帮扶项目 / Help type id.") var helpType = "holiday-condolence"
    @Option(help: "插件目录；默认本程序所在目录 / Plugin directory; default beside this program.") var pluginDir: String?
    @Flag(help: "输出 JSON / Print JSON.") var json = false

    struct Figures: Encodable {
        var helpType: String
        var households: Int
        var batchSize: Int
        var batchCalls: Int
        var batchSeconds: Double
        var batchPerSecond: Double
        var singleCalls: Int
        var singleSeconds: Double
        var singlePerSecond: Double
        var batchOverSingle: Double
        var eligible: Int
        var peakRSSMiB: Double
        var buildConfiguration: String
    }

    func run() throws {
        guard households > 0, batchSize > 0 else {
            throw ValidationError("--households and --batch-size must be above 0")
        }
        let dir =
            pluginDir
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
        let reg = PluginLoader.load(directory: dir)
        let p = try reg.helpType(helpType)
        let requests = (0..<households).map { i in
            AssessmentRequest(
                on: "2027-01-20", household: Self.household(i), form: ["occasion": .string("spring_festival")])
        }
        FileHandle.standardError.write(
            Data("assessing \(households) households for \(helpType): batches of \(batchSize)...\n".utf8))
        let c0 = p.abiCalls
        var t = Date()
        var eligible = 0
        for start in stride(from: 0, to: requests.count, by: batchSize) {
            eligible += try p.assess(Array(requests[start..<min(start + batchSize, requests.count)])).filter(\.eligible)
                .count
        }
        let batchSeconds = Date().timeIntervalSince(t)
        let batchCalls = p.abiCalls - c0
        FileHandle.standardError.write(Data("...and one by one\n".utf8))
        t = Date()
        var single = 0
        for r in requests { single += try p.assess([r]).filter(\.eligible).count }
        let singleSeconds = Date().timeIntervalSince(t)
        guard single == eligible else {
            throw ValidationError("batch and one-by-one disagree: \(eligible) vs \(single) eligible")
        }
        #if DEBUG
            let build = "debug"
        #else
            let build = "release"
        #endif
        let f = Figures(
            helpType: helpType, households: households, batchSize: batchSize, batchCalls: batchCalls,
            batchSeconds: batchSeconds,
            batchPerSecond: Double(households) / batchSeconds, singleCalls: p.abiCalls - c0 - batchCalls,
            singleSeconds: singleSeconds,
            singlePerSecond: Double(households) / singleSeconds, batchOverSingle: singleSeconds / batchSeconds,
            eligible: eligible,
            peakRSSMiB: Self.peakRSSMiB(), buildConfiguration: build)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(f), as: UTF8.self))
        } else {
            print("help type            \(f.helpType) (\(f.buildConfiguration) build)")
            print("households           \(f.households), eligible \(f.eligible)")
            print(
                String(
                    format: "batch (%6d/call)   %9.0f households/s  %7.2f s  %d ABI calls", f.batchSize,
                    f.batchPerSecond, f.batchSeconds, f.batchCalls))
            print(
                String(
                    format: "one by one           %9.0f households/s  %7.2f s  %d ABI calls", f.singlePerSecond,
                    f.singleSeconds, f.singleCalls))
            print(String(format: "batch / one by one   %9.1fx", f.batchOverSingle))
            print(String(format: "peak RSS             %9.1f MiB", f.peakRSSMiB))
        }
    }

    /// A synthetic household: categories, model-worker levels and sizes vary with the index.
    static func household(_ i: Int) -> HouseholdFacts {
        let category = ["deep", "relative", "accident", nil][i % 4]
        let head = PersonFacts(
            ref: "h\(i)", relation: "self", age: 35 + i % 40, sex: i % 2 == 0 ? "male" : "female",
            politicalStatus: i % 5 == 0 ? "party_member" : "masses",
            modelWorkerLevel: i % 16 == 15 ? "national" : i % 6 == 2 ? "city" : "none",
            workStatus: "laid_off")
        let members = (0..<(i % 4)).map {
            PersonFacts(ref: "m\(i)-\($0)", relation: "child", age: 3 + $0 * 5, sex: "female", status: "student")
        }
        return HouseholdFacts(
            archiveNo: "HA-2027-\(i)", category: category, size: 1 + members.count, annualIncomeFen: 2_000_000,
            rigidExpensesFen: 0, accidentCostsFen: 0, perCapitaMonthlyFen: 60_000, dibaoMonthlyFen: 100_000,
            region: "370202", reviewDue: "2027-12-31", head: head, members: members)
    }

    /// VmHWM of this process, in MiB.
    static func peakRSSMiB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return kb / 1024
    }
}
