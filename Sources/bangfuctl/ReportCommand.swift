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
            abstract: "统计报表：各单位（含下级）档案、案件、资金、接待、走访与慰问 / The report form per unit, with its subtree.")
        @OptionGroup var global: Global
        @Option(help: "统计期：2027、2027-Q1 或 2027-03 / Period: a year, quarter or month.") var period: String
        @Option(help: "单位（含下级）；默认您有角色的全部单位 / Unit (with its subtree).") var unit: String?
        @OptionGroup var document: DocumentOutput

        func run() {
            _ = document.chosenFormat(global, default: "table")
            let report = global.call(Wire.Reports.Figures(period: period, unit: unit))
            if global.json { return global.printJSON(report.json) }
            document.deliver(Documents.report(report, global), global, default: "table", what: ("报表", "report"))
        }
    }
}
