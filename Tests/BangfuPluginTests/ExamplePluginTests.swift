import BangfuPluginKit
import BangfuPlugins
import Foundation
import Testing

/// A help type built outside this package, by its own Package.swift that needs only the SDK,
/// loads through the same loader and passes the same conformance suite.
@Suite struct ExamplePluginTests {
    static func buildExample() throws -> String {
        let pkg = PluginFixtures.root.appendingPathComponent("examples/help-type-example").path
        let scratch = PluginFixtures.root.appendingPathComponent(".build-example").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "build", "--package-path", pkg, "--scratch-path", scratch]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "swift build of the example failed")
        return scratch + "/debug/libbangfu-help-winter-heating.so"
    }

    @Test func outsideExampleLoadsAndConforms() throws {
        let file = try Self.buildExample()
        let reg = PluginLoader.load(files: [file], settings: ["winter-heating": ["per_person_fen": .integer(25_000)]])
        #expect(reg.failed.isEmpty, "\(reg.failed)")
        let p = try reg.helpType("winter-heating")
        #expect(p.descriptor.amountCapFen == 125_000)
        try Conformance.check(p)
        let h = PluginFixtures.household("deep")
        let a = try p.assess([AssessmentRequest(on: "2027-11-15", household: h, form: ["winter": .integer(2027)])])[0]
        #expect(a.plan?.amountFen == 75_000)
    }
}
