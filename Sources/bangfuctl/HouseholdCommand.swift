import ArgumentParser
import BangfuCLIKit
import BangfuCore
import BangfuVarlink
import BangfuWire
import Foundation

/// `bangfuctl household HA-…`: one household at a glance (一户一档), each part as the caller's
/// role may see it.
struct HouseholdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "household",
        abstract: "一户一档：成员、案件、发放、走访、联系、收入与复核 / One household at a glance.")
    @OptionGroup var global: Global
    @Argument(help: "档案号 / Archive number.") var archiveNo: String

    func run() {
        let overview = global.call(Wire.Archive.Overview(archiveNo: archiveNo))
        if global.json { return global.printJSON(overview.json) }
        let zh = global.zh
        let names = global.names()
        ArchiveCommand.show(overview.household, global, names: names)
        let archive = overview.household.archive
        if let members = archive.members, !members.isEmpty {
            section(zh ? "家庭成员" : "members")
            var table = TextTable(headers: zh ? ["姓名", "与户主关系", "身份证号"] : ["name", "relation", "ID number"])
            for member in members {
                table.add([
                    member.name, Words.archiveValue(field: "relation", member.relation, global.language),
                    member.idNumber,
                ])
            }
            print(table.render())
        }
        if !overview.helpers.isEmpty { CareCommand.printHelpers(overview.helpers, global) }
        let labels = FormText.labels(global)
        if !overview.cases.isEmpty {
            section(zh ? "案件" : "cases")
            var table = TextTable(
                headers: zh
                    ? ["案件号", "帮扶项目", "状态", "金额", "申请经办", "表单"]
                    : ["case", "help type", "state", "amount", "filed by", "form"], rightAligned: [3])
            for line in overview.cases {
                table.add([
                    line.caseNo, names.helpType(line.helpType), global.word(.caseState, line.state),
                    line.amount.map(yuan) ?? "", line.filedBy,
                    FormText.text(line.form, labels[line.helpType] ?? [:], global),
                ])
            }
            print(table.render())
        }
        if !overview.payments.isEmpty {
            section(zh ? "发放记录" : "payments")
            var table = TextTable(
                headers: zh
                    ? ["案件号", "期数", "金额", "资金账户", "发放时间", "发放人"]
                    : ["case", "instalment", "amount", "fund", "paid at", "paid by"], rightAligned: [1, 2])
            for payment in overview.payments {
                table.add([
                    payment.caseNo, String(payment.instalment), yuan(payment.amount), payment.fundId,
                    global.time(payment.paidAt), payment.paidBy,
                ])
            }
            print(table.render())
        }
        if !overview.visits.isEmpty {
            section(zh ? "走访" : "visits")
            var table = TextTable(
                headers: zh
                    ? ["编号", "截止", "状态", "事由", "走访人", "走访时间", "说明"]
                    : ["id", "due", "status", "event", "visitor", "visited at", "note"])
            for visit in overview.visits {
                table.add([
                    String(visit.id), global.day(visit.dueOn), global.word(.visitStatus, visit.status),
                    visit.event.map { global.word(.mustVisitEvent, $0) } ?? (zh ? "活动" : "campaign"),
                    visit.visitedBy ?? visit.visitor ?? "", visit.visitedAt.map(global.time) ?? "", visit.note ?? "",
                ])
            }
            print(table.render())
        }
        if !overview.contacts.isEmpty {
            section(zh ? "联系记录" : "contacts")
            var table = TextTable(headers: zh ? ["时间", "联系人", "方式", "说明"] : ["at", "helper", "kind", "note"])
            for contact in overview.contacts {
                table.add([
                    global.time(contact.at), contact.helper, global.word(.contactKind, contact.kind),
                    contact.note ?? "",
                ])
            }
            print(table.render())
        }
        if !overview.incomes.isEmpty {
            section(zh ? "月度收入" : "monthly income")
            var table = TextTable(headers: zh ? ["月份", "人均月收入"] : ["month", "per capita"], rightAligned: [1])
            for income in overview.incomes { table.add([income.month, yuan(income.perCapitaMonthly)]) }
            print(table.render())
        }
        if !overview.reviews.isEmpty {
            section(zh ? "年度复核" : "yearly reviews")
            var table = TextTable(headers: zh ? ["时间", "复核人"] : ["at", "by"])
            for review in overview.reviews { table.add([global.time(review.at), review.by]) }
            print(table.render())
        }
    }

    func section(_ title: String) { print("\n" + title) }
}
