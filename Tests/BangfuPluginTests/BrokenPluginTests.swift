import BangfuCore
import BangfuPluginKit
import BangfuPlugins
import Foundation
import Testing

/// Broken plugins, built by the test with the C compiler against the real ABI header: each fails
/// with its own clear reason and the good ones still load.
@Suite struct BrokenPluginTests {
    static let header = PluginFixtures.root.appendingPathComponent("PluginKit/Sources/CBangfuPluginABI/include").path

    static let goodDescriptor =
        #"{"id":"ID","nameZh":"测试","nameEn":"Test","version":"1","paymentKind":"one_off","fields":[],"fundSources":[],"flags":[],"config":[],"amountCapFen":1000}"#

    /// C source of a plugin; each parameter breaks one thing.
    static func source(
        id: String, abi: String = "BANGFU_PLUGIN_ABI_VERSION", size: String = "sizeof(bangfu_help_type)",
        descriptor: String? = nil, describeRC: String = "BANGFU_OK",
        reply: String =
            #"{"results":[{"eligible":true,"reasons":[{"code":"ok","zh":"可","en":"ok"}],"plan":{"kind":"one_off","amountFen":500}}]}"#,
        callRC: String = "BANGFU_OK", entry: String = "bangfu_help_type_v1"
    ) -> String {
        func c(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let d = descriptor ?? goodDescriptor.replacingOccurrences(of: "\"ID\"", with: "\"\(id)\"")
        return """
            #include "bangfu_plugin.h"
            #include <stdlib.h>
            #include <string.h>
            static void put(bangfu_buffer *out, const char *s) {
                size_t n = strlen(s); out->data = malloc(n ? n : 1); memcpy(out->data, s, n); out->len = n;
            }
            static int32_t init_(const bangfu_host *h) { (void)h; return BANGFU_OK; }
            static int32_t describe_(bangfu_buffer *out) { put(out, \(c(d))); return \(describeRC); }
            static int32_t call_(const uint8_t *m, size_t ml, const uint8_t *r, size_t rl, bangfu_buffer *out) {
                (void)m; (void)ml; (void)r; (void)rl; put(out, \(c(reply))); return \(callRC);
            }
            static void free_(bangfu_buffer b) { free(b.data); }
            static const bangfu_help_type table = { \(abi), \(size), init_, describe_, call_, free_ };
            const bangfu_help_type *\(entry)(void) { return &table; }
            """
    }

    static func build(_ name: String, _ code: String, in dir: URL) throws {
        let src = dir.appendingPathComponent("\(name).c")
        try code.write(to: src, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [
            "cc", "-shared", "-fPIC", "-I", header, "-o", dir.appendingPathComponent("libbangfu-help-\(name).so").path,
            src.path,
        ]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw BangfuError(.invalidInput, zh: "cc failed", en: "cc failed for \(name)")
        }
    }

    @Test func eachBrokenPluginFailsWithItsReasonAndTheOthersLoad() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-plugins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.build("good-c", Self.source(id: "good-c"), in: dir)
        try Self.build("no-symbol", Self.source(id: "no-symbol", entry: "something_else"), in: dir)
        try Self.build("abi-two", Self.source(id: "abi-two", abi: "2u"), in: dir)
        try Self.build("short-table", Self.source(id: "short-table", size: "8"), in: dir)
        try Self.build("garbage", Self.source(id: "garbage", descriptor: "this is not json {"), in: dir)
        try Self.build(
            "describe-error",
            Self.source(
                id: "describe-error", descriptor: #"{"code":"broken","zh":"坏了","en":"it is broken"}"#,
                describeRC: "BANGFU_ERROR"), in: dir)
        try Self.build("wrong-name", Self.source(id: "other-name"), in: dir)
        try Self.build(
            "bad-descriptor",
            Self.source(
                id: "bad-descriptor",
                descriptor:
                    #"{"id":"bad-descriptor","nameZh":"坏","nameEn":"Bad","version":"1","paymentKind":"one_off","fields":[],"fundSources":["gold"],"flags":[],"config":[],"amountCapFen":1000}"#
            ), in: dir)
        try "not a library".write(
            to: dir.appendingPathComponent("libbangfu-help-not-elf.so"), atomically: true, encoding: .utf8)
        try "ignored".write(to: dir.appendingPathComponent("libother.so"), atomically: true, encoding: .utf8)

        let reg = PluginLoader.load(directory: dir.path)
        #expect(reg.loaded.map(\.descriptor.id) == ["good-c"])
        let reasons = Dictionary(
            uniqueKeysWithValues: reg.failed.map { (URL(fileURLWithPath: $0.file).lastPathComponent, $0.reason) })
        #expect(reasons.count == 8, "\(reasons)")
        #expect(reasons["libbangfu-help-no-symbol.so"]?.contains("no entry symbol bangfu_help_type_v1") == true)
        #expect(reasons["libbangfu-help-abi-two.so"]?.contains("ABI version 2") == true)
        #expect(reasons["libbangfu-help-short-table.so"]?.contains("shorter") == true)
        #expect(reasons["libbangfu-help-garbage.so"]?.contains("not valid JSON") == true)
        #expect(reasons["libbangfu-help-describe-error.so"]?.contains("it is broken") == true)
        #expect(reasons["libbangfu-help-wrong-name.so"]?.contains("other-name") == true)
        #expect(reasons["libbangfu-help-bad-descriptor.so"]?.contains("gold") == true)
        #expect(reasons["libbangfu-help-not-elf.so"]?.contains("cannot load") == true)
        #expect(reasons["libother.so"] == nil, "files without the prefix are ignored")
    }

    @Test func duplicateIdFromASecondDirectory() throws {
        let a = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-dup-\(UUID().uuidString)")
        let b = a.appendingPathComponent("second")
        try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: a) }
        try Self.build("twin", Self.source(id: "twin"), in: a)
        try Self.build("twin", Self.source(id: "twin"), in: b)
        let reg = PluginLoader.load(files: [
            a.appendingPathComponent("libbangfu-help-twin.so").path,
            b.appendingPathComponent("libbangfu-help-twin.so").path,
        ])
        #expect(reg.loaded.count == 1)
        #expect(reg.failed.first?.reason.contains("already provided") == true)
    }

    @Test func answersOutsideTheContractFailThatCallClearly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bangfu-faulty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String, String, String)] = [
            ("garbage-reply", "]]] not json", "BANGFU_OK", "not a valid assessment"),
            ("error-reply", #"{"code":"db_down","zh":"出错","en":"lookup failed"}"#, "BANGFU_ERROR", "lookup failed"),
            (
                "over-cap",
                #"{"results":[{"eligible":true,"reasons":[{"code":"x","zh":"x","en":"x"}],"plan":{"kind":"one_off","amountFen":999999}}]}"#,
                "BANGFU_OK", "outside"
            ),
            (
                "fraction",
                #"{"results":[{"eligible":true,"reasons":[{"code":"x","zh":"x","en":"x"}],"plan":{"kind":"one_off","amountFen":12.5}}]}"#,
                "BANGFU_OK", "not a valid assessment"
            ),
            ("two-results", #"{"results":[]}"#, "BANGFU_OK", "0 results for 1"),
            ("no-reason", #"{"results":[{"eligible":false,"reasons":[]}]}"#, "BANGFU_OK", "no reason"),
        ]
        for (name, reply, rc, _) in cases {
            try Self.build(name, Self.source(id: name, reply: reply, callRC: rc), in: dir)
        }
        let reg = PluginLoader.load(directory: dir.path)
        #expect(reg.failed.isEmpty, "\(reg.failed)")
        let req = AssessmentRequest(on: "2027-03-01", household: PluginFixtures.household("deep"), form: [:])
        for (name, _, _, expected) in cases {
            do {
                _ = try reg.helpType(name).assess([req])
                Issue.record("\(name) was accepted")
            } catch let e as BangfuError {
                #expect(e.code == .pluginFailed)
                #expect(e.en.contains(expected), "\(name): \(e.en)")
            }
        }
    }
}
