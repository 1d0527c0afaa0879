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
            Create.self, Get.self, History.self, List.self, Search.self, Update.self, Review.self, Exit.self,
            Reenter.self,
        ])

    /// Reads an archive JSON file (`-` for standard input), checked against the IDL's ArchiveData
    /// before anything is sent.
    static func load(_ path: String, _ global: Global) -> Wire.Archive.ArchiveData {
        let data =
            path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
        guard let data, let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            global.die(global.zh ? "无法读取档案 JSON：\(path)" : "cannot read archive JSON from \(path)", code: 2)
        }
        do {
            return try Wire.Archive.ArchiveData(json: json, at: "")
        } catch let error as WireDecodingError {
            global.die(
                global.zh
                    ? "档案 JSON 的字段 \(error.field) 缺少或类型不对（字段见 org.bangfu.Archive 的 ArchiveData）：\(path)"
                    : "archive JSON: field \(error.field) is missing or of the wrong type (see ArchiveData in org.bangfu.Archive): \(path)",
                code: 2)
        } catch {
            global.die("\(error)", code: 2)
        }
    }

    static func show(_ household: Wire.Archive.Household, _ global: Global, names: Names? = nil) {
        let archive = household.archive
        let zh = global.zh
        let names = names ?? global.names()
        var table = TextTable(headers: zh ? ["项目", "值"] : ["item", "value"])
        var rows: [(String, String, String)] = [
            ("档案号", "archive", household.archiveNo), ("状态", "status", global.word(.archiveStatus, household.status)),
            ("单位", "unit", names.unit(archive.unitId)), ("户主", "applicant", archive.head.name),
            ("身份证号", "ID number", archive.head.idNumber),
            ("家庭人口", "household size", String(1 + (archive.members?.count ?? 0))),
            ("困难类别", "category", shown(household.category.map { global.word(.category, $0) })),
            ("认定理由", "reason", zh ? household.categoryReason : household.categoryReasonEn),
            ("人均月收入", "per-capita monthly", yuan(household.perCapitaMonthly)),
            ("低保标准", "低保", yuan(household.dibaoMonthly)), ("下次复核", "review due", global.day(household.reviewDue)),
        ]
        if let address = archive.address { rows.append(("家庭住址", "address", address)) }
        if let phone = archive.head.phone { rows.append(("联系电话", "phone", phone)) }
        if let closedAt = household.closedAt { rows.append(("关闭时间", "closed", global.time(closedAt))) }
        if let erasedAt = household.erasedAt {
            rows.append(
                ("个人信息清除", "personal data erased", global.time(erasedAt) + (zh ? "（超过保存期限）" : " (past retention)")))
        }
        for (nameZh, nameEn, value) in rows { table.add([zh ? nameZh : nameEn, value]) }
        print(table.render())
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "建档：从 JSON 文件读入（字段见 org.bangfu.Archive 的 ArchiveData）/ Create from a JSON file.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Option(help: "档案 JSON 文件，- 为标准输入 / Archive JSON file, - for stdin.") var file: String

        func run() {
            let archive = ArchiveCommand.load(file, global)
            let household = global.call(Wire.Archive.Create(archive: archive, requestId: request.requestId)).household
            if global.json { return global.printJSON(household.json) }
            print(global.zh ? "已建档 \(household.archiveNo)" : "archived as \(household.archiveNo)")
            ArchiveCommand.show(household, global)
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "查看档案 / Show an archive.")
        @OptionGroup var global: Global
        @Argument(help: "档案号 / Archive number.") var archiveNo: String
        func run() {
            let household = global.call(Wire.Archive.Get(archiveNo: archiveNo)).household
            if global.json { return global.printJSON(household.json) }
            ArchiveCommand.show(household, global)
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "档案变更记录 / Archive change history.")
        @OptionGroup var global: Global
        @Argument var archiveNo: String
        func run() {
            let history = global.call(Wire.Archive.History(archiveNo: archiveNo))
            if global.json { return global.printJSON(history.json) }
            var table = TextTable(
                headers: global.zh
                    ? ["时间", "操作人", "操作", "字段", "原值", "新值"] : ["time", "actor", "action", "field", "old", "new"])
            let language = global.language
            for change in history.changes {
                let value = { (text: String?) in
                    text.map { Words.archiveValue(field: change.field, $0, language) } ?? ""
                }
                let actor = change.actor == "system" ? global.word(.actor, "system") : change.actor
                table.add([
                    global.time(change.at), actor, global.word(.archiveAction, change.action),
                    Words.archiveField(change.field, language), value(change.oldValue), value(change.newValue),
                ])
            }
            print(table.render())
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "档案列表 / List archives.")
        @OptionGroup var global: Global
        @Option(help: "单位（含下级）/ Unit and its subtree.") var unit: String?
        @Option(help: "open|closed") var status: String?
        func run() {
            let archives = global.all(Wire.Archive.List(unit: unit, status: status)).map(\.archive)
            if global.json { return global.printJSON(archives) }
            ArchiveCommand.list(archives, global)
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "按姓名（开头几个字）或身份证号查找档案 / Find archives by a name's beginning or an ID number.")
        @OptionGroup var global: Global
        @Option(help: "姓名开头，户主或成员 / A name's beginning, head or member.") var name: String?
        @Option(name: .customLong("id-number"), help: "身份证号（完整 18 位）/ ID number, all 18 characters.") var idNumber:
            String?
        @Option(help: "单位（含下级）/ Unit and its subtree.") var unit: String?
        func run() {
            guard name != nil || idNumber != nil else {
                global.die(global.zh ? "请给出 --name 或 --id-number" : "give --name or --id-number", code: 2)
            }
            let archives = global.call(Wire.Archive.Search(name: name, idNumber: idNumber, unit: unit)).archives
            if global.json { return global.printJSON(archives) }
            ArchiveCommand.list(archives, global)
        }
    }

    /// Archive lines as a table.
    static func list(_ archives: [Wire.Archive.Summary], _ global: Global) {
        var table = TextTable(
            headers: global.zh
                ? ["档案号", "户主", "单位", "状态", "类别", "下次复核"]
                : ["archive", "applicant", "unit", "status", "category", "review due"])
        let names = global.names()
        for archive in archives {
            table.add([
                archive.archiveNo, archive.name, names.unit(archive.unitId),
                global.word(.archiveStatus, archive.status), archive.category.map { global.word(.category, $0) } ?? "",
                global.day(archive.reviewDue),
            ])
        }
        print(table.render())
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "更新档案 / Update an archive from a JSON file.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Option var file: String
        func run() {
            let archive = ArchiveCommand.load(file, global)
            let household = global.call(
                Wire.Archive.Update(archiveNo: archiveNo, archive: archive, requestId: request.requestId)
            ).household
            if global.json { return global.printJSON(household.json) }
            ArchiveCommand.show(household, global)
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "年度复核 / Record the yearly review.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        func run() {
            let household = global.call(Wire.Archive.Review(archiveNo: archiveNo, requestId: request.requestId))
                .household
            if global.json { return global.printJSON(household.json) }
            print(
                global.zh
                    ? "已复核，下次复核 \(global.day(household.reviewDue))" : "reviewed; next review \(household.reviewDue)")
        }
    }

    struct Exit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "脱困/撤档 / Close an archive.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Option(help: "income_above_line|death|transfer|retirement|data_check_failed|government_cover|other")
        var reason: String
        @Option var note: String
        func run() {
            let household = global.call(
                Wire.Archive.Exit(archiveNo: archiveNo, reason: reason, note: note, requestId: request.requestId)
            ).household
            if global.json { return global.printJSON(household.json) }
            print(global.zh ? "档案 \(household.archiveNo) 已关闭" : "archive \(household.archiveNo) closed")
        }
    }

    struct Reenter: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "返困：重新启用档案 / Re-open a closed archive.")
        @OptionGroup var global: Global
        @OptionGroup var request: RequestOptions
        @Argument var archiveNo: String
        @Option var file: String
        func run() {
            let archive = ArchiveCommand.load(file, global)
            let household = global.call(
                Wire.Archive.Reenter(archiveNo: archiveNo, archive: archive, requestId: request.requestId)
            ).household
            if global.json { return global.printJSON(household.json) }
            ArchiveCommand.show(household, global)
        }
    }
}
