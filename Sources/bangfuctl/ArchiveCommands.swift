import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

struct ArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "困难职工档案（一户一档）/ Household archives.",
        subcommands: [
            Create.self, Get.self, History.self, List.self, Update.self, Review.self, Exit.self, Reenter.self,
        ])

    /// Reads an archive JSON file (`-` for standard input).
    static func load(_ path: String, _ g: Global) -> JSONValue {
        let data =
            path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data, let v = try? JSONDecoder().decode(JSONValue.self, from: data), case .object = v else {
            g.die(g.zh ? "无法读取档案 JSON：\(path)" : "cannot read archive JSON from \(path)", code: 2)
        }
        return v
    }

    static func show(_ h: [String: JSONValue], _ g: Global) {
        let a = h.o("archive"), head = a.o("head")
        var t = TextTable(headers: g.zh ? ["项目", "值"] : ["item", "value"])
        let rows: [(String, String, String)] = [
            ("档案号", "archive", h.s("archiveNo")), ("状态", "status", h.s("status")), ("单位", "unit", a.s("unitId")),
            ("户主", "applicant", head.s("name")), ("身份证号", "ID number", head.s("idNumber")),
            ("家庭人口", "household size", String(1 + a.a("members").count)),
            ("困难类别", "category", h.s("category").isEmpty ? "-" : h.s("category")),
            ("认定理由", "reason", h.s("categoryReason")),
            ("人均月收入", "per-capita monthly", yuan(h.i("perCapitaMonthly"))), ("低保标准", "低保", yuan(h.i("dibaoMonthly"))),
            ("下次复核", "review due", h.s("reviewDue")),
        ]
        for (zh, en, v) in rows { t.add([g.zh ? zh : en, v]) }
        print(t.render())
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "建档：从 JSON 文件读入（字段见 org.bangfu.Archive 的 ArchiveData）/ Create from a JSON file.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Option(help: "档案 JSON 文件，- 为标准输入 / Archive JSON file, - for stdin.") var file: String

        func run() {
            let h = g.call1(
                .archiveCreate, ["archive": ArchiveCommand.load(file, g), "requestId": r.param]
            ).o("household")
            if g.json { return g.printJSON(.object(h)) }
            print(g.zh ? "已建档 \(h.s("archiveNo"))" : "archived as \(h.s("archiveNo"))")
            ArchiveCommand.show(h, g)
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "查看档案 / Show an archive.")
        @OptionGroup var g: Global
        @Argument(help: "档案号 / Archive number.") var archiveNo: String
        func run() {
            let h = g.call1(.archiveGet, ["archiveNo": .string(archiveNo)]).o("household")
            if g.json { return g.printJSON(.object(h)) }
            ArchiveCommand.show(h, g)
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "档案变更记录 / Archive change history.")
        @OptionGroup var g: Global
        @Argument var archiveNo: String
        func run() {
            let r = g.call1(.archiveHistory, ["archiveNo": .string(archiveNo)])
            if g.json { return g.printJSON(.object(r)) }
            var t = TextTable(
                headers: g.zh
                    ? ["时间", "操作人", "操作", "字段", "原值", "新值"] : ["time", "actor", "action", "field", "old", "new"])
            for c in r.a("changes").compactMap(\.objectValue) {
                t.add([c.s("at"), c.s("actor"), c.s("action"), c.s("field"), c.s("oldValue"), c.s("newValue")])
            }
            print(t.render())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "档案列表 / List archives.")
        @OptionGroup var g: Global
        @Option(help: "单位（含下级）/ Unit and its subtree.") var unit: String?
        @Option(help: "open|closed") var status: String?
        func run() {
            let items = g.pages(
                .archiveList,
                ["unit": unit.map { .string($0) } ?? .null, "status": status.map { .string($0) } ?? .null],
                key: "archive")
            if g.json { return g.printJSON(.array(items.map { .object($0) })) }
            var t = TextTable(
                headers: g.zh
                    ? ["档案号", "户主", "单位", "状态", "类别", "下次复核"]
                    : ["archive", "applicant", "unit", "status", "category", "review due"])
            for a in items {
                t.add([a.s("archiveNo"), a.s("name"), a.s("unitId"), a.s("status"), a.s("category"), a.s("reviewDue")])
            }
            print(t.render())
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "更新档案 / Update an archive from a JSON file.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Option var file: String
        func run() {
            let h = g.call1(
                .archiveUpdate,
                ["archiveNo": .string(archiveNo), "archive": ArchiveCommand.load(file, g), "requestId": r.param]
            ).o("household")
            if g.json { return g.printJSON(.object(h)) }
            ArchiveCommand.show(h, g)
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "年度复核 / Record the yearly review.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        func run() {
            let h = g.call1(.archiveReview, ["archiveNo": .string(archiveNo), "requestId": r.param]).o(
                "household")
            if g.json { return g.printJSON(.object(h)) }
            print(g.zh ? "已复核，下次复核 \(h.s("reviewDue"))" : "reviewed; next review \(h.s("reviewDue"))")
        }
    }

    struct Exit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "脱困/撤档 / Close an archive.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Option(help: "income_above_line|death|transfer|retirement|data_check_failed|government_cover|other")
        var reason: String
        @Option var note: String
        func run() {
            let h = g.call1(
                .archiveExit,
                [
                    "archiveNo": .string(archiveNo), "reason": .string(reason), "note": .string(note),
                    "requestId": r.param,
                ]
            ).o("household")
            if g.json { return g.printJSON(.object(h)) }
            print(g.zh ? "档案 \(h.s("archiveNo")) 已关闭" : "archive \(h.s("archiveNo")) closed")
        }
    }

    struct Reenter: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "返困：重新启用档案 / Re-open a closed archive.")
        @OptionGroup var g: Global
        @OptionGroup var r: RequestOptions
        @Argument var archiveNo: String
        @Option var file: String
        func run() {
            let h = g.call1(
                .archiveReenter,
                ["archiveNo": .string(archiveNo), "archive": ArchiveCommand.load(file, g), "requestId": r.param]
            ).o("household")
            if g.json { return g.printJSON(.object(h)) }
            ArchiveCommand.show(h, g)
        }
    }
}
