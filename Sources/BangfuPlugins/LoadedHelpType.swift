import BangfuCore
import BangfuJSON
import BangfuPluginKit
import Foundation
import Synchronization

/// A loaded help type: its descriptor and the calls into it, with what it answers checked.
public final class LoadedHelpType: Sendable {
    public let descriptor: HelpTypeDescriptor
    /// The file it came from.
    public let file: String
    nonisolated(unsafe) let table: UnsafePointer<bangfu_help_type>
    private let calls = Atomic<Int>(0)

    init(descriptor: HelpTypeDescriptor, file: String, table: UnsafePointer<bangfu_help_type>) {
        self.descriptor = descriptor
        self.file = file
        self.table = table
    }

    /// How many calls crossed the ABI so far (a batch is one call).
    public var abiCalls: Int { calls.load(ordering: .relaxed) }

    /// Assesses a batch in one ABI call. A plugin that answers garbage, the wrong number of
    /// results or an amount outside its cap fails the whole call with a clear error.
    public func assess(_ requests: [AssessmentRequest]) throws -> [Assessment] {
        if requests.isEmpty { return [] }
        // Our coders, not Foundation's, both ways: they were a fifth of an approval's instructions.
        let body = try JSONTextEncoder.bytes(AssessBatch(requests: requests))
        calls.add(1, ordering: .relaxed)
        let table = self.table
        let raw = try LoadedHelpType.invoke(table, file: file) { out in
            body.withUnsafeBytes { req in
                Array("assess".utf8).withUnsafeBufferPointer { m in
                    table.pointee.call(
                        m.baseAddress, m.count, req.bindMemory(to: UInt8.self).baseAddress, req.count, out)
                }
            }
        }
        let results: [Assessment]
        do {
            results = try JSONValueDecoder.decode(AssessResults.self, from: try JSONValue.parse(raw)).results
        } catch {
            throw pluginFault("answered something that is not a valid assessment: \(error)")
        }
        guard results.count == requests.count else {
            throw pluginFault("answered \(results.count) results for \(requests.count) households")
        }
        for r in results {
            if r.reasons.isEmpty { throw pluginFault("gave no reason for its decision") }
            guard let plan = r.plan else {
                if r.eligible { throw pluginFault("said eligible without a payment plan") }
                continue
            }
            guard r.eligible else { throw pluginFault("proposed a payment for an ineligible household") }
            guard plan.kind == descriptor.paymentKind else {
                throw pluginFault(
                    "proposed a \(plan.kind.rawValue) payment but declares \(descriptor.paymentKind.rawValue)")
            }
            if plan.kind != .nonMonetary {
                // Checked without trapping: a plugin's numbers are untrusted. `totalFen` saturates.
                let cap = min(descriptor.amountCapFen ?? 0, Money.maximum.fen)
                guard plan.amountFen > 0, plan.amountFen <= Money.maximum.fen, plan.totalFen <= cap else {
                    throw pluginFault(
                        "proposed \(plan.amountFen) fen (\(plan.totalFen) in all), outside 1...\(cap) fen")
                }
                if plan.kind == .monthly {
                    guard let m = plan.months, (1...120).contains(m) else {
                        throw pluginFault("proposed monthly payments without 1...120 months")
                    }
                }
                if plan.kind == .loan {
                    guard let t = plan.termMonths, (1...120).contains(t) else {
                        throw pluginFault("proposed a loan without a 1...120 month term")
                    }
                }
            }
        }
        return results
    }

    func pluginFault(_ en: String) -> BangfuError {
        BangfuError(
            .pluginFailed, zh: "帮扶项目插件 \(descriptor.id) 出错：\(en)", en: "help-type plugin \(descriptor.id) \(en)")
    }

    /// Runs one table call that fills a buffer; frees it with the plugin's free_buffer.
    static func invoke(
        _ table: UnsafePointer<bangfu_help_type>, file: String,
        _ call: (UnsafeMutablePointer<bangfu_buffer>) -> Int32
    ) throws -> Data {
        var out = bangfu_buffer(data: nil, len: 0)
        let rc = call(&out)
        defer { if out.data != nil { table.pointee.free_buffer(out) } }
        let data = out.data.map { Data(bytes: $0, count: out.len) } ?? Data()
        guard rc == BANGFU_OK else {
            if let e = try? JSONDecoder().decode(PluginError.self, from: data) {
                throw BangfuError(
                    .pluginFailed, zh: "插件 \(file) 返回错误：\(e.zh) [\(e.code)]",
                    en: "plugin \(file) returned an error: \(e.en) [\(e.code)]")
            }
            throw BangfuError(
                .pluginFailed, zh: "插件 \(file) 调用失败（返回码 \(rc)）", en: "plugin \(file) failed (return code \(rc))")
        }
        return data
    }
}
