import BangfuPluginKit
import BangfuPlugins
import Foundation

/// Where the built plugins are, and households to assess.
enum PluginFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The build directory holding `libbangfu-help-*.so` (`BANGFU_PLUGIN_DIR` overrides).
    static var pluginDir: String {
        if let d = ProcessInfo.processInfo.environment["BANGFU_PLUGIN_DIR"] { return d }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [beside, beside.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")] {
            if let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path),
                names.contains(where: { $0.hasPrefix(PluginLoader.prefix) })
            {
                return dir.path
            }
        }
        return root.appendingPathComponent(".build/debug").path
    }

    static let builtIn = [
        "education-aid", "hardship-relief", "holiday-condolence", "housing-referral", "legal-aid",
        "medical-aid", "micro-loan", "monthly-subsidy", "reemployment",
    ]

    /// Loaded once per process: plugins are never unloaded.
    static let registry: PluginRegistry = PluginLoader.load(directory: pluginDir)

    static func person(
        _ ref: String, _ relation: String, age: Int, status: String? = nil, work: String? = nil,
        party: Bool = false, model: String = "none", area: Int? = nil
    ) -> PersonFacts {
        PersonFacts(
            ref: ref, relation: relation, age: age, sex: "male", politicalStatus: party ? "party_member" : "masses",
            modelWorkerLevel: model, workStatus: work, status: status, housingAreaSqm: area)
    }

    static func household(
        _ category: String?, size: Int = 3, perCapita: Int64 = 80_000, dibao: Int64 = 100_000,
        head: PersonFacts? = nil, members: [PersonFacts]? = nil, reviewDue: String = "2028-02-01"
    ) -> HouseholdFacts {
        let ms =
            members ?? [
                person("m1", "spouse", age: 45, status: "unemployed"),
                person("m2", "child", age: 10, status: "student"),
            ]
        return HouseholdFacts(
            archiveNo: "HA-2027-000001", category: category, size: 1 + ms.count,
            annualIncomeFen: perCapita * 12 * Int64(1 + ms.count),
            rigidExpensesFen: 0, accidentCostsFen: 0, perCapitaMonthlyFen: perCapita, dibaoMonthlyFen: dibao,
            region: "990101",
            reviewDue: reviewDue, head: head ?? person("h", "self", age: 50, work: "laid_off", area: 30), members: ms)
    }

    /// A varied grid of households for the conformance suite.
    static var grid: [HouseholdFacts] {
        var out: [HouseholdFacts] = []
        for (i, cat) in ["deep", "relative", "accident", nil].enumerated() {
            for model in ["none", "national", "city"] {
                for party in [false, true] {
                    let head = person(
                        "h", "self", age: 40 + i * 10 + (party ? 25 : 0),
                        work: ["laid_off", "retired", "employed", "migrant_worker"][i], party: party,
                        model: model, area: [8, 20, 50, 10][i])
                    out.append(household(cat, perCapita: Int64(50_000 + i * 40_000), head: head))
                }
            }
        }
        return out
    }

    /// A form that the descriptor accepts, pointing person fields at the household's child.
    static func sampleForm(_ d: HelpTypeDescriptor) -> [String: FormValue] {
        var f: [String: FormValue] = [:]
        for field in d.fields where field.required || field.type == .choice {
            switch field.type {
            case .choice: f[field.key] = .string(field.options!.first!)
            case .integer: f[field.key] = .integer(field.min ?? 1)
            case .money: f[field.key] = .integer(min(max(field.min ?? 1, 100_000), field.max ?? Int64.max))
            case .string:
                f[field.key] = .string(field.key == "student_ref" ? "m2" : field.key.hasSuffix("_ref") ? "m1" : "x")
            case .date: f[field.key] = .string("2027-03-01")
            case .bool: f[field.key] = .bool(true)
            }
        }
        return f
    }
}
