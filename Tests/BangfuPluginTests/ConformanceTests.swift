import BangfuCore
import BangfuPluginKit
import BangfuPlugins
import Foundation
import Testing

/// The one conformance suite every help type passes: the nine built in, and the example built
/// outside this package (see ExamplePluginTests).
enum Conformance {
    static func check(_ p: LoadedHelpType) throws {
        let d = p.descriptor
        // Descriptor: valid, defaults for every key, form fields sound.
        try d.validate()
        #expect(Set(d.config.map(\.key)).count == d.config.count, "\(d.id): repeated config key")
        // Forms: a valid one passes; missing, unknown and mistyped fields fail.
        let form = PluginFixtures.sampleForm(d)
        try d.validate(form: form)
        #expect(throws: PluginError.self, "\(d.id) accepted an unknown field") {
            try d.validate(form: form.merging(["no_such_field": .bool(true)]) { $1 })
        }
        if let req = d.fields.first(where: \.required) {
            #expect(throws: PluginError.self, "\(d.id) accepted a form without \(req.key)") {
                try d.validate(form: form.filter { $0.key != req.key })
            }
            let wrong: FormValue = req.type == .bool ? .string("yes") : .bool(true)
            #expect(throws: PluginError.self, "\(d.id) accepted a mistyped \(req.key)") {
                try d.validate(form: form.merging([req.key: wrong]) { $1 })
            }
        }
        // Eligibility with reasons; amounts in integer fen within the declared cap (the loader also checks).
        let requests = PluginFixtures.grid.map { AssessmentRequest(on: "2027-03-01", household: $0, form: form) }
        let before = p.abiCalls
        let batch = try p.assess(requests)
        #expect(p.abiCalls == before + 1, "\(d.id): a batch of \(requests.count) must be one ABI call")
        #expect(batch.count == requests.count)
        for (r, a) in zip(requests, batch) {
            #expect(!a.reasons.isEmpty && a.reasons.allSatisfy { !$0.zh.isEmpty && !$0.en.isEmpty && !$0.code.isEmpty })
            if let plan = a.plan, plan.kind != .nonMonetary {
                #expect(plan.amountFen > 0 && plan.totalFen <= d.amountCapFen!, "\(d.id): \(plan)")
            }
            if r.household.category == nil && d.paymentKind != .nonMonetary && a.eligible {
                // Only a model worker may get money without a hardship category.
                #expect(
                    r.household.people.contains { $0.modelWorkerLevel != "none" },
                    "\(d.id) paid a household not in hardship")
            }
        }
        #expect(batch.contains { $0.eligible }, "\(d.id): nobody in the grid is eligible")
        // Batch equals one by one.
        let single = try requests.map { try p.assess([$0])[0] }
        #expect(single == batch, "\(d.id): batch and one-by-one differ")
        #expect(p.abiCalls == before + 1 + requests.count)
    }
}

@Suite struct ConformanceTests {
    @Test func allNineBuiltInHelpTypesLoad() {
        let r = PluginFixtures.registry
        #expect(r.failed.isEmpty, "\(r.failed)")
        #expect(r.loaded.map(\.descriptor.id).sorted() == PluginFixtures.builtIn)
    }

    @Test(arguments: PluginFixtures.builtIn)
    func conformance(id: String) throws {
        // A registry of its own, so that its call counter sees only this test's calls.
        let own = PluginLoader.load(files: [PluginFixtures.pluginDir + "/libbangfu-help-\(id).so"])
        try Conformance.check(try own.helpType(id))
    }

    /// Issue 15: a form shows a choice's options in words (大病, not serious_illness): every built-in
    /// choice field says them, through the ABI, one word per option.
    @Test func builtInChoicesComeWithTheirWords() {
        for helpType in PluginFixtures.registry.loaded {
            for field in helpType.descriptor.fields where field.type == .choice {
                #expect(
                    field.optionsZh?.count == field.options?.count && field.optionsZh?.contains("") == false,
                    "\(helpType.descriptor.id).\(field.key): \(field.optionsZh ?? [])")
            }
        }
        let cause = PluginFixtures.registry.loaded.first { $0.descriptor.id == "hardship-relief" }?.descriptor.fields
            .first { $0.key == "cause" }
        #expect(cause?.optionsZh == ["大病", "灾害", "突发困难", "子女就学"])
    }

    /// Words that do not match the options one to one are refused when the plugin loads.
    @Test func optionWordsThatDoNotMatchAreRefused() throws {
        var descriptor = try #require(PluginFixtures.registry.loaded.first?.descriptor)
        let index = try #require(descriptor.fields.firstIndex { $0.type == .choice })
        descriptor.fields[index].optionsZh = ["只有一个"]
        #expect(throws: PluginError.self) { try descriptor.validate() }
        descriptor.fields[index].optionsZh = descriptor.fields[index].options?.map { _ in "" }
        #expect(throws: PluginError.self) { try descriptor.validate() }
        descriptor.fields[index].optionsZh = descriptor.fields[index].options
        try descriptor.validate()
    }

    @Test func configurationReachesThePlugin() throws {
        // A copy at its own path is a library of its own, so these settings stay out of other tests.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("libbangfu-help-medical-aid.so").path
        try FileManager.default.copyItem(
            atPath: PluginFixtures.pluginDir + "/libbangfu-help-medical-aid.so", toPath: copy)
        let reg = PluginLoader.load(files: [copy], settings: ["medical-aid": ["yearly_cap_fen": .integer(500_000)]])
        let p = try reg.helpType("medical-aid")
        #expect(p.descriptor.amountCapFen == 500_000)
        let a = try p.assess([
            AssessmentRequest(
                on: "2027-03-01", household: PluginFixtures.household("deep"),
                form: ["self_paid_fen": .integer(900_000)])
        ])
        #expect(a[0].plan?.amountFen == 500_000)
        // An unknown key in the configuration fails the plugin with a reason naming the allowed keys.
        let bad = PluginLoader.load(files: [copy], settings: ["medical-aid": ["yearly_kap": .integer(1)]])
        #expect(bad.loaded.isEmpty && bad.failed.first?.reason.contains("yearly_cap_fen") == true)
        let mistyped = PluginLoader.load(files: [copy], settings: ["medical-aid": ["yearly_cap_fen": .string("1.5")]])
        #expect(mistyped.loaded.isEmpty && mistyped.failed.first?.reason.contains("must be an integer") == true)
    }
}

/// The benchmark program runs and counts its calls (its timings are printed, never asserted).
@Suite struct PluginBenchSmokeTests {
    struct Figures: Decodable {
        var households: Int
        var batchCalls: Int
        var singleCalls: Int
        var eligible: Int
        var peakRSSMiB: Double
    }

    @Test func benchmarkSmoke() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: PluginFixtures.pluginDir + "/bangfu-plugin-bench")
        p.arguments = ["--households", "200", "--batch-size", "50", "--json", "--plugin-dir", PluginFixtures.pluginDir]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let f = try JSONDecoder().decode(Figures.self, from: data)
        #expect(f.households == 200 && f.batchCalls == 4 && f.singleCalls == 200)
        #expect(f.eligible > 0 && f.eligible < 200 && f.peakRSSMiB > 0)
    }
}
