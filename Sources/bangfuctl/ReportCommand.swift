import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

/// `bangfuctl report figures`: the report form of a unit and its subtree over a month, quarter or year.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "统计报表 / Report forms.", subcommands: [Figures.self])

    struct Figures: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "各单位（含下级）档案、案件与发放汇总 / Archives, cases and payments per unit, with its subtree.")
        @OptionGroup var global: Global
        @Option(help: "统计期：2027、2027-Q1 或 2027-03 / Period: a year, quarter or month.") var period: String
        @Option(help: "单位（含下级）；默认您有角色的全部单位 / Unit (with its subtree).") var unit: String?
        @Option(help: "table 或 csv / table or csv.") var format = "table"
        @Option(help: "CSV 编码：utf-8（带 BOM）或 gb18030 / CSV encoding.") var encoding = "utf-8"
        @Option(help: "写入文件 / Write to a file.") var output: String?

        func run() {
            guard ["table", "csv"].contains(format), ["utf-8", "gb18030"].contains(encoding.lowercased()) else {
                global.die(
                    global.zh
                        ? "--format 只能是 table 或 csv，--encoding 只能是 utf-8 或 gb18030"
                        : "--format is table or csv; --encoding is utf-8 or gb18030", code: 2)
            }
            let report = global.call(Wire.Reports.Figures(period: period, unit: unit))
            if global.json { return global.printJSON(report.json) }
            let zh = global.zh
            let headers =
                zh
                ? ["单位", "在档户数", "深度困难", "相对困难", "意外致困", "已退出", "案件", "办理中", "发放笔数", "发放金额", "借出金额"]
                : [
                    "unit", "open", "deep", "relative", "accident", "closed", "cases", "in progress", "payments",
                    "aid paid", "lent",
                ]
            let rows = report.rows.map { row in
                [
                    String(repeating: format == "table" ? "  " : "", count: Int(row.depth)) + row.unitName,
                    String(row.openArchives), String(row.deep), String(row.relative), String(row.accident),
                    String(row.closedArchives), String(row.cases), String(row.casesInProgress), String(row.payments),
                    format == "table" ? yuan(row.aidPaid) : Money(fen: row.aidPaid).plain,
                    format == "table" ? yuan(row.lent) : Money(fen: row.lent).plain,
                ]
            }
            let title =
                zh
                ? "\(report.periodName)（\(global.day(report.from))至\(global.day(report.to))）"
                : "\(report.from) to \(report.to)"
            let head = report.head.map { (zh ? "审计链头 " : "audit head ") + $0 } ?? ""
            if format == "table" {
                var table = TextTable(headers: headers, rightAligned: Set(1...10))
                for row in rows { table.add(row) }
                return deliver(title + "\n" + table.render() + "\n" + head + "\n")
            }
            let text = Sheet.csvText([[title]] + [headers] + rows + [[head]])
            if encoding.lowercased() == "gb18030" {
                guard let data = Sheet.gb18030(encoding: text) else {
                    global.die(zh ? "无法转换为 GB18030" : "cannot convert to GB18030", code: 1)
                }
                return deliver(data)
            }
            deliver(Data(("\u{FEFF}" + text).utf8))
        }

        func deliver(_ text: String) { deliver(Data(text.utf8)) }

        func deliver(_ data: Data) {
            guard let output else { return FileHandle.standardOutput.write(data) }
            guard FileManager.default.createFile(atPath: output, contents: data) else {
                global.die(
                    global.zh ? "无法写入 \(output)：请检查目录是否存在以及您是否有写权限" : "cannot write \(output)", code: 1)
            }
            FileHandle.standardError.write(
                Data((global.zh ? "报表已写入 \(output)\n" : "report written to \(output)\n").utf8))
        }
    }
}
